/**
 * The API server's Go validation of a pod template (kubernetes v1.34 pkg/apis/core/validation ValidatePodSpec and
 * the functions named below), for the checks the stack's workloads can break, and server-side apply's refusal of
 * duplicate keys in the pod spec's map lists (the `+listType=map` markers of core/v1 types.go).
 */
import { isPort, parseQuantity } from '../shared/validation';
import { show } from './json-values';

type Path = (string | number)[];
type Add = (path: Path, message: string) => void;

/** A JSON list, or none. */
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
/** IsValidPortNum's message. */
export const PORT_RANGE = 'must be between 1 and 65535, inclusive';

/** Checks `spec` (a PodSpec) found at `at`. */
export function podSpecIssues(spec: any = {}, at: Path, add: Add): void {
  const containers = list(spec.containers);
  if (containers.length === 0) add([...at, 'containers'], 'Required value');
  duplicates(spec.containers, ['name'], [...at, 'containers'], add);
  duplicates(spec.initContainers, ['name'], [...at, 'initContainers'], add);
  duplicates(spec.volumes, ['name'], [...at, 'volumes'], add);
  // ValidateVolumes: only volumes that validate are names a mount may use.
  const volumes = new Set<unknown>();
  list(spec.volumes).forEach((v, i) => {
    let valid = typeof v?.name === 'string' && v.name !== '';
    for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
      const mode = v?.[source]?.defaultMode;
      // validateVolumeSource: file modes are 0 to 0777.
      if (typeof mode === 'number' && (mode < 0 || mode > 0o777)) {
        add([...at, 'volumes', i, source, 'defaultMode'], `Invalid value: ${mode}: must be a number between 0 and 0777 (octal), both inclusive`);
        valid = false;
      }
    }
    const hostPath = v?.hostPath;
    if (hostPath && (typeof hostPath.path !== 'string' || hostPath.path === '' || (hostPath.type !== undefined && !HOST_PATH_TYPES.includes(hostPath.type)))) valid = false;
    if (valid) volumes.add(v.name);
  });
  ['containers', 'initContainers'].forEach(field => list(spec[field]).forEach((c, i) => container(c, [...at, field, i], volumes, field === 'containers', add)));
  seccomp(spec.securityContext?.seccompProfile, [...at, 'securityContext', 'seccompProfile'], add);
}

function container(c: any, at: Path, volumes: Set<unknown>, regular: boolean, add: Add): void {
  if (!c || typeof c !== 'object') return;
  if (typeof c.image !== 'string' || c.image === '') add([...at, 'image'], 'Required value');
  // SetDefaults_ContainerPort: protocol TCP.
  duplicates(list(c.ports).map(p => ({ ...p, protocol: p?.protocol ?? 'TCP' })), ['containerPort', 'protocol'], [...at, 'ports'], add);
  duplicates(c.env, ['name'], [...at, 'env'], add);
  duplicates(c.volumeMounts, ['mountPath'], [...at, 'volumeMounts'], add);
  list(c.ports).forEach((p, i) => {
    // validateContainerPorts
    if (p?.containerPort === undefined || p.containerPort === 0) add([...at, 'ports', i, 'containerPort'], 'Required value');
    else if (!isPort(p.containerPort)) add([...at, 'ports', i, 'containerPort'], `Invalid value: ${p.containerPort}: ${PORT_RANGE}`);
    if (p?.hostPort !== undefined && p.hostPort !== 0 && !isPort(p.hostPort)) add([...at, 'ports', i, 'hostPort'], `Invalid value: ${p.hostPort}: ${PORT_RANGE}`);
  });
  list(c.env).forEach((e, i) => {
    const from = e?.valueFrom;
    if (from && typeof from === 'object' && ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter(k => from[k] !== undefined).length === 0) {
      add([...at, 'env', i, 'valueFrom'], 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
    }
  });
  list(c.volumeMounts).forEach((m, i) => {
    if (typeof m?.name === 'string' && !volumes.has(m.name)) add([...at, 'volumeMounts', i, 'name'], `Not found: ${show(m.name)}`);
    // validateMountPropagation names the field without the mount's index (kubernetes v1.34 validation.go).
    if (m?.mountPropagation !== undefined && !['None', 'HostToContainer', 'Bidirectional'].includes(m.mountPropagation)) {
      add([...at, 'volumeMounts', 'mountPropagation'], `Unsupported value: ${show(m.mountPropagation)}: supported values: "Bidirectional", "HostToContainer", "None"`);
    }
  });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (c[probe] !== undefined && regular) probeIssues(c[probe], probe, [...at, probe], add);
  }
  requestsWithinLimits(c.resources, [...at, 'resources'], add);
  seccomp(c.securityContext?.seccompProfile, [...at, 'securityContext', 'seccompProfile'], add);
}

/** validateProbe: one handler, non-negative counts, and successThreshold 1 for liveness and startup probes. */
function probeIssues(p: any, kind: string, at: Path, add: Add): void {
  if (!p || typeof p !== 'object') return;
  if (['exec', 'httpGet', 'tcpSocket', 'grpc'].filter(h => p[h] !== undefined).length === 0) add(at, 'Required value: must specify a handler type');
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds']) {
    if (typeof p[f] === 'number' && p[f] < 0) add([...at, f], `Invalid value: ${p[f]}: must be greater than or equal to 0`);
  }
  if (kind !== 'readinessProbe' && typeof p.successThreshold === 'number' && p.successThreshold >= 0 && p.successThreshold !== 1) {
    add([...at, 'successThreshold'], `Invalid value: ${p.successThreshold}: must be 1`);
  }
}

const quantity = (v: unknown) => (typeof v === 'number' ? v : parseQuantity(v));

/** ValidateResourceRequirements: each request at most its limit. */
function requestsWithinLimits(r: any, at: Path, add: Add): void {
  const limits = r?.limits;
  const requests = r?.requests;
  if (!limits || !requests || typeof limits !== 'object' || typeof requests !== 'object') return;
  for (const [name, value] of Object.entries(requests)) {
    if (!Object.hasOwn(limits, name)) continue;
    const req = quantity(value);
    const lim = quantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) add([...at, 'requests'], `Invalid value: ${show(value)}: must be less than or equal to ${name} limit of ${String(limits[name])}`);
  }
}

/** validateSeccompProfileField: a Localhost profile names its file. */
function seccomp(profile: any, at: Path, add: Add): void {
  if (profile?.type === 'Localhost' && !profile.localhostProfile) add([...at, 'localhostProfile'], 'Required value: must be set when seccomp type is Localhost');
}

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/** ValidateLabelSelector's requirements: In and NotIn need values, Exists and DoesNotExist take none. */
export function labelSelectorIssues(selector: any, at: Path, add: Add): void {
  list(selector?.matchExpressions).forEach((e, i) => {
    const values = list(e?.values);
    if ((e?.operator === 'In' || e?.operator === 'NotIn') && values.length === 0) add([...at, 'matchExpressions', i, 'values'], 'Required value: must be specified when `operator` is \'In\' or \'NotIn\'');
    if ((e?.operator === 'Exists' || e?.operator === 'DoesNotExist') && values.length > 0) add([...at, 'matchExpressions', i, 'values'], 'Forbidden: may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
  });
}

/**
 * structured-merge-diff: a map list with two entries of the same key is refused by server-side apply before any
 * validation (`duplicate entries for key [name="x"]`), at the list.
 */
export function duplicates(items: unknown, keys: readonly string[], at: Path, add: Add): void {
  const seen = new Set<string>();
  for (const item of list(items)) {
    if (!item || typeof item !== 'object') continue;
    const id = JSON.stringify(keys.map(k => item[k] ?? null));
    if (seen.has(id)) {
      add(at, `Duplicate value: duplicate entries for key [${keys.map(k => `${k}=${show(item[k] ?? null)}`).join(',')}]`);
      return;
    }
    seen.add(id);
  }
}
