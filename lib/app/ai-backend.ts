import { Construct } from 'constructs';
import type * as agw from '../../imports/agentgatewaybackend';
import { agentgatewayBackendImport } from '../shared/imports';
import { checkProps, skipIfProblems, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, HOSTNAME_RULE, isDns1123Label, isDns1123Subdomain, isHostname, isPort, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { InferenceService } from './inference-service';

/** The LLM API dialect agentgateway speaks to the backend. */
export enum AiProvider {
  /** OpenAI chat completions (also what httpbun and most OpenAI-compatible servers speak). */
  OPENAI = 'openai',
}

/** What can be set on an {@link AiBackend} besides the inference service it fronts. */
export interface AiBackendOptions {
  /**
   * Name of the AgentgatewayBackend.
   * @default '<inference service name>-backend'
   */
  readonly name?: string;
  /**
   * Namespace of the AgentgatewayBackend.
   * @default - the inference service's namespace
   */
  readonly namespace?: string;
  /**
   * Model name agentgateway sends to the provider (`spec.ai.provider.openai.model`).
   * @default - the inference service's name
   */
  readonly model?: string;
  /**
   * Host of the model server.
   * @default - the inference service's predictor host (`<name>-predictor.<namespace>.svc.cluster.local`)
   */
  readonly host?: string;
  /**
   * Port of the model server.
   * @default - the inference service's predictor port (80)
   */
  readonly port?: number;
  /**
   * Path of the chat-completions endpoint on the model server.
   * @default '/v1/chat/completions' (OpenAI's, which OpenAI-compatible servers such as vLLM serve)
   */
  readonly path?: string;
  /**
   * API dialect.
   * @default AiProvider.OPENAI
   */
  readonly provider?: AiProvider;
}

/** Props for {@link AiBackend}. */
export interface AiBackendProps extends AiBackendOptions {
  /**
   * The InferenceService to reach; name, namespace, model, host and port are derived from it unless given.
   * @default - none: then `name`, `namespace`, `model` and `host` are required
   */
  readonly inferenceService?: InferenceService;
}

/** OpenAI's chat-completions path, the default of {@link AiBackendOptions.path}. */
export const OPENAI_CHAT_COMPLETIONS_PATH = '/v1/chat/completions';

/**
 * An AgentgatewayBackend with an AI provider: traffic through it is parsed as LLM traffic, so agentgateway can
 * read `usage.total_tokens` from each response and charge token budgets.
 */
export class AiBackend extends Construct {
  /** Backend name. */
  public readonly name!: string;
  /** Backend namespace. */
  public readonly namespace!: string;
  /** Model name sent to the provider. */
  public readonly model!: string;
  /** Upstream host. */
  public readonly host!: string;
  /** Upstream port. */
  public readonly port!: number;
  /** Chat-completions path. */
  public readonly path!: string;
  /** The inference service behind it, if it was derived from one. */
  public readonly inferenceService?: InferenceService;
  /** The generated AgentgatewayBackend object. */
  public readonly apiObject!: agw.AgentgatewayBackend;

  constructor(scope: Construct, id: string, props: AiBackendProps = {}) {
    super(scope, id);
    if (!checkProps('AiBackend', this, props)) return;
    ensureUniqueObjects(this);
    const isvc = props.inferenceService;
    this.inferenceService = isvc;
    // An inference service with problems has reported them; nothing here can be derived from it.
    if (skipIfProblems(this, isvc)) return;
    const errors = new PropErrors('AiBackend', this);
    errors.check(isvc !== undefined || (props.model !== undefined && props.host !== undefined && props.name !== undefined && props.namespace !== undefined),
      'inferenceService', isvc, 'set, or else name, namespace, model and host must all be given');
    if (errors.report()) return;

    this.name = props.name ?? `${isvc!.name}-backend`;
    this.namespace = props.namespace ?? isvc!.namespace;
    this.model = props.model ?? isvc!.name;
    this.host = props.host ?? isvc!.predictorHost;
    this.port = props.port ?? isvc?.predictorPort ?? 80;
    this.path = props.path ?? OPENAI_CHAT_COMPLETIONS_PATH;
    const provider = props.provider ?? AiProvider.OPENAI;

    if (errors
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.namespace), 'namespace', this.namespace, DNS1123_LABEL_RULE)
      .check(typeof this.model === 'string' && this.model.length > 0, 'model', this.model, 'a non-empty model name')
      .check(isHostname(this.host) && !this.host.startsWith('*'), 'host', this.host, HOSTNAME_RULE.replace(', optionally starting with "*."', ''))
      .check(isPort(this.port), 'port', this.port, 'a whole number from 1 to 65535')
      .check(typeof this.path === 'string' && this.path.startsWith('/'), 'path', this.path, 'an absolute path starting with "/"')
      .check(Object.values(AiProvider).includes(provider), 'provider', provider, `one of ${Object.values(AiProvider).join(', ')}`)
      .report()) return;

    this.apiObject = new (agentgatewayBackendImport().AgentgatewayBackend)(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        ai: {
          provider: {
            [provider]: { model: this.model },
            host: this.host,
            port: this.port,
            path: this.path,
          },
        },
      },
    });
  }
}
