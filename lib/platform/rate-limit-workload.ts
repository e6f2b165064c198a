/**
 * What the rate-limit service's two workloads (envoyproxy/ratelimit and Redis) share: image references pinned by
 * tag and optionally digest, resources, and a restricted securityContext that the validator's SEC005/SEC006 accept.
 */
import { parseQuantity, PropErrors, QUANTITY_RULE } from '../shared/validation';

/** Container requests and limits as Kubernetes quantities. */
export interface WorkloadResources {
  /** What the scheduler reserves. */
  readonly requests: {
    /** CPU, e.g. `100m`. */
    readonly cpu: string;
    /** Memory, e.g. `128Mi`. */
    readonly memory: string;
  };
  /** The most the container may use. */
  readonly limits: {
    /** CPU, e.g. `1`. */
    readonly cpu: string;
    /** Memory, e.g. `512Mi`. */
    readonly memory: string;
  };
}

/** `sha256:` and 64 lower-case hex digits: an OCI content digest as registries print it. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `repo[:tag]` plus `@digest` when given: the digest wins at pull time, the tag stays for humans. */
export function imageReference(image: string, digest: string | undefined): string {
  return digest ? `${image}@${digest}` : image;
}

/** Checks an image, its digest and resources, recording problems under the given prop names. */
export function checkWorkload(errors: PropErrors, prefix: string, image: string, digest: string | undefined, resources: WorkloadResources): void {
  errors.check(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/.test(image) && !image.includes('@') && /:[\w][\w.-]{0,127}$/.test(image),
    `${prefix}image`, image, 'an image reference with an explicit tag and no digest (put the digest in the digest prop), e.g. "docker.io/envoyproxy/ratelimit:1e50889b"');
  if (/:latest$/.test(image)) errors.add(`${prefix}image must not use the mutable tag :latest, got ${JSON.stringify(image)}`);
  if (digest !== undefined) errors.check(IMAGE_DIGEST.test(digest), `${prefix}imageDigest`, digest, '"sha256:" followed by 64 lower-case hex digits');
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory'] as const) {
      const v = resources[kind]?.[r];
      errors.check(parseQuantity(v) !== undefined && parseQuantity(v)! > 0, `${prefix}resources.${kind}.${r}`, v, `a positive ${QUANTITY_RULE}`);
    }
  }
  for (const r of ['cpu', 'memory'] as const) {
    const req = parseQuantity(resources.requests?.[r]);
    const lim = parseQuantity(resources.limits?.[r]);
    if (req !== undefined && lim !== undefined && lim < req) {
      errors.add(`${prefix}resources.limits.${r} (${resources.limits[r]}) must not be below resources.requests.${r} (${resources.requests[r]})`);
    }
  }
}

/** A container securityContext that runs as `uid`, cannot escalate, keeps no capabilities and cannot write its image. */
export function restrictedContainer(uid: number): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsGroup: uid,
    runAsNonRoot: true,
    runAsUser: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod-level settings shared by both workloads: no API token (neither talks to the API server), RuntimeDefault seccomp. */
export function restrictedPod(uid: number): Record<string, unknown> {
  return {
    automountServiceAccountToken: false,
    securityContext: { fsGroup: uid, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

/** `{ cpu, memory }` maps as the API server echoes them. */
export function resourceRequirements(resources: WorkloadResources): Record<string, unknown> {
  return {
    limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
  };
}
