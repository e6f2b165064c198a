import { Construct } from 'constructs';
import * as agw from '../../imports/agentgatewaybackend';
import { INFERENCE_POOL_GROUP } from '../shared/kserve-conventions';
import { checkProps, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, isDns1123Label, isDns1123Subdomain, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { OPENAI_CHAT_COMPLETIONS_PATH } from './ai-backend';
import { IInferencePoolRef } from './llm-inference-service';

/** The API formats agentgateway can speak to a custom provider (`formats[].type`). */
export const LlmApiFormatType = agw.AgentgatewayBackendSpecAiProviderCustomFormatsType;
/** One of {@link LlmApiFormatType}. */
export type LlmApiFormatType = agw.AgentgatewayBackendSpecAiProviderCustomFormatsType;

/** An API format the model server speaks, and its path (`spec.ai.provider.custom.formats[]`). */
export interface LlmApiFormat {
  /** The format, e.g. `Completions` (OpenAI chat completions). */
  readonly type: LlmApiFormatType;
  /**
   * The upstream path of that format.
   * @default - agentgateway's default path for the format
   */
  readonly path?: string;
}

/** What can be set on an {@link InferencePoolBackend} besides its pool. */
export interface InferencePoolBackendOptions {
  /**
   * Name of the AgentgatewayBackend.
   * @default '<model name>-backend'
   */
  readonly name?: string;
  /**
   * Model name agentgateway puts in requests (`spec.ai.provider.custom.model`).
   * @default - the model the pool serves
   */
  readonly model?: string;
  /**
   * The formats the model server speaks.
   * @default [{ type: Completions, path: '/v1/chat/completions' }]
   */
  readonly formats?: LlmApiFormat[];
}

/** Props for {@link InferencePoolBackend}. */
export interface InferencePoolBackendProps extends InferencePoolBackendOptions {
  /** The InferencePool to send traffic to; the backend lives in its namespace (a custom backendRef is namespace-local). */
  readonly pool: IInferencePoolRef;
  /** The model the pool serves (the default of `model`, and of `name` as `<model>-backend`). */
  readonly servedModel: string;
}

/**
 * An AgentgatewayBackend whose AI provider is an InferencePool (`ai.provider.custom.backendRef`): traffic through it
 * is parsed as LLM traffic, so token budgets can charge it. With agentgateway v1.4.1 its endpoints are picked by
 * plain load balancing, not by the pool's endpoint picker (agentgateway #2976, fixed after v1.4.1).
 */
export class InferencePoolBackend extends Construct {
  /** Backend name. */
  public readonly name: string;
  /** Backend namespace (the pool's). */
  public readonly namespace: string;
  /** Model name sent to the pool. */
  public readonly model: string;
  /** The pool. */
  public readonly pool: IInferencePoolRef;
  /** The formats, with their paths. */
  public readonly formats: readonly LlmApiFormat[];
  /** The generated AgentgatewayBackend object. */
  public readonly apiObject: agw.AgentgatewayBackend;

  constructor(scope: Construct, id: string, props: InferencePoolBackendProps) {
    super(scope, id);
    checkProps('InferencePoolBackend', this, props, ['pool', 'servedModel']);
    ensureUniqueObjects(this);
    this.pool = props.pool;
    this.namespace = props.pool.poolNamespace;
    this.model = props.model ?? props.servedModel;
    this.name = props.name ?? `${props.servedModel}-backend`;
    this.formats = props.formats ?? [{ type: LlmApiFormatType.COMPLETIONS, path: OPENAI_CHAT_COMPLETIONS_PATH }];
    const types = Object.values(LlmApiFormatType) as string[];
    const errors = new PropErrors('InferencePoolBackend', this)
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(this.namespace), 'pool.poolNamespace', this.namespace, DNS1123_LABEL_RULE)
      .check(isDns1123Subdomain(props.pool.poolName), 'pool.poolName', props.pool.poolName, DNS1123_SUBDOMAIN_RULE)
      .check(typeof this.model === 'string' && this.model.length > 0 && this.model.length <= 256, 'model', this.model, 'a model name of 1 to 256 characters')
      .check(Array.isArray(this.formats) && this.formats.length >= 1 && this.formats.length <= 6, 'formats', this.formats, 'from 1 to 6 formats');
    const seen = new Set<string>();
    (Array.isArray(this.formats) ? this.formats : []).forEach((f, i) => {
      errors
        .check(types.includes(f?.type), `formats[${i}].type`, f?.type, `one of ${types.join(', ')}`)
        .check(f?.path === undefined || (typeof f.path === 'string' && f.path.startsWith('/') && f.path.length <= 1024), `formats[${i}].path`, f?.path, 'an absolute path starting with "/"')
        .check(!seen.has(f?.type), `formats[${i}].type`, f?.type, 'a format not listed before (each format once)');
      seen.add(f?.type);
    });
    errors.throwIfAny();

    this.apiObject = new agw.AgentgatewayBackend(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        ai: {
          provider: {
            custom: {
              backendRef: { group: INFERENCE_POOL_GROUP, kind: 'InferencePool', name: props.pool.poolName },
              model: this.model,
              formats: this.formats.map(f => ({ type: f.type, ...(f.path !== undefined ? { path: f.path } : {}) })),
            },
          },
        },
      },
    });
  }

  /** The `path` of a format, e.g. where Completions requests go. */
  public pathOf(type: LlmApiFormatType): string | undefined {
    return this.formats.find(f => f.type === type)?.path;
  }
}
