/**
 * What the rate-limit service's two workloads (envoyproxy/ratelimit and Redis) share: image references pinned by
 * tag and optionally digest, resources, and a restricted securityContext that the validator's SEC005/SEC006 accept,
 * all as cdk8s-plus props.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { parseQuantity, PropErrors, QUANTITY_RULE } from '../shared/validation';
import { cdk8sPlusLibrary as plus } from '../shared/imports';

/**
 * Container requests and limits as Kubernetes quantities. They are written as cdk8s-plus writes them: CPU as given
 * (cores or millicores; another form becomes millicores, rounded up), memory in whole mebibytes (`1Gi` becomes
 * `1024Mi`; a size between two mebibytes rounds up to the next).
 */
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
export function restrictedContainer(uid: number): kplus.ContainerSecurityContextProps {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: [plus().Capability.ALL] },
    ensureNonRoot: true,
    group: uid,
    privileged: false,
    readOnlyRootFilesystem: true,
    seccompProfile: { type: plus().SeccompProfileType.RUNTIME_DEFAULT },
    user: uid,
  };
}

/**
 * The container props both workloads share: the image pinned by tag (and digest), its resources, a restricted
 * securityContext. Pulled only when not present: what the API server defaults a tag other than `latest` to
 * (cdk8s-plus would say `Always`, a registry round trip on every start).
 */
export function restrictedContainerProps(uid: number, image: string, digest: string | undefined, resources: WorkloadResources):
  Pick<kplus.ContainerProps, 'image' | 'imagePullPolicy' | 'resources' | 'securityContext'> {
  return {
    image: imageReference(image, digest),
    imagePullPolicy: plus().ImagePullPolicy.IF_NOT_PRESENT,
    resources: resourceRequirements(resources),
    securityContext: restrictedContainer(uid),
  };
}

/** Pod-level settings shared by both workloads: no API token (neither talks to the API server), non-root, `fsGroup`. */
export function restrictedPod(uid: number): Pick<kplus.DeploymentProps, 'automountServiceAccountToken' | 'securityContext'> {
  return { automountServiceAccountToken: false, securityContext: { ensureNonRoot: true, fsGroup: uid } };
}

/**
 * RuntimeDefault seccomp for the whole pod. cdk8s-plus-28 has the prop on containers only (`PodSecurityContextProps`
 * has no `seccompProfile`), so this one setting goes in through the escape hatch.
 */
export function restrictPodSeccomp(deployment: kplus.Deployment): void {
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
}

/** The resources as cdk8s-plus's `Cpu` and `Size` (see {@link WorkloadResources} for how they are written). */
export function resourceRequirements(resources: WorkloadResources): kplus.ContainerResources {
  return {
    cpu: { request: cpu(resources.requests.cpu), limit: cpu(resources.limits.cpu) },
    memory: { request: mebibytes(resources.requests.memory), limit: mebibytes(resources.limits.memory) },
  };
}

function cpu(quantity: string): kplus.Cpu {
  if (/^[0-9]+m$/.test(quantity)) return plus().Cpu.millis(Number(quantity.slice(0, -1)));
  if (/^[0-9]+(\.[0-9]+)?$/.test(quantity)) return plus().Cpu.units(Number(quantity));
  return plus().Cpu.millis(Math.ceil(parseQuantity(quantity)! * 1000 - 1e-9));
}

// cdk8s-plus writes memory as `<whole mebibytes>Mi` (container.ts `_toKube`).
function mebibytes(quantity: string): Size {
  return Size.mebibytes(Math.ceil(parseQuantity(quantity)! / 2 ** 20 - 1e-9));
}
