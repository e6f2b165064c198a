import { Construct } from 'constructs';
import type * as agw from '../../imports/agentgatewaypolicy';
import { agentgatewayPolicyImport } from '../shared/imports';
import { checkProps, hasProblems, skipIfProblems, DNS1123_SUBDOMAIN_RULE, isDns1123Subdomain, PropErrors } from '../shared/validation';
import { ensureUniqueObjects } from '../shared/unique-objects';
import { IHttpRouteRef } from './http-route-ref';

/** A response header set from a CEL expression. */
export interface ResponseHeader {
  /** Header name. */
  readonly name: string;
  /** CEL expression agentgateway evaluates for the value. */
  readonly value: string;
}

/** The guide's two headers: the model the client asked for, and the one that answered. */
export const MODEL_ECHO_HEADERS: readonly ResponseHeader[] = [
  { name: 'x-requested-model', value: 'string(json(request.body).model)' },
  { name: 'x-actual-model', value: 'string(json(response.body).model)' },
];

/** What can be set on a {@link ModelEchoHeaders} policy besides its route. */
export interface ModelEchoHeadersOptions {
  /**
   * The route whose responses get the headers.
   * @default - for a `MeteredModel`: the top-level route KServe generates for the inference service, or the budgeted
   * route when the model is cluster-local (KServe then generates none)
   */
  readonly route?: IHttpRouteRef;
  /**
   * Name of the AgentgatewayPolicy.
   * @default '<route name>-model-echo-headers'
   */
  readonly name?: string;
  /**
   * Headers to set on responses.
   * @default MODEL_ECHO_HEADERS
   */
  readonly headers?: readonly ResponseHeader[];
}

/** Props for {@link ModelEchoHeaders}. */
export interface ModelEchoHeadersProps extends ModelEchoHeadersOptions {
  /** The route whose responses get the headers (the guide uses the route KServe generates). */
  readonly route: IHttpRouteRef;
}

// An HTTP header field name is an RFC 7230 token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A transformation AgentgatewayPolicy that echoes the requested and the actual model in response headers. */
export class ModelEchoHeaders extends Construct {
  /** Policy name. */
  public readonly name!: string;
  /** Policy namespace (the route's). */
  public readonly namespace!: string;
  /** The generated AgentgatewayPolicy object. */
  public readonly apiObject!: agw.AgentgatewayPolicy;

  constructor(scope: Construct, id: string, props: ModelEchoHeadersProps) {
    super(scope, id);
    if (!checkProps('ModelEchoHeaders', this, props, ['route'])) return;
    ensureUniqueObjects(this);
    const routeOk = !hasProblems(props.route);
    this.name = props.name ?? (routeOk ? `${props.route.routeName}-model-echo-headers` : 'x');
    this.namespace = props.route.routeNamespace;
    const headers = props.headers ?? MODEL_ECHO_HEADERS;

    const errors = new PropErrors('ModelEchoHeaders', this)
      .check(isDns1123Subdomain(this.name), 'name', this.name, DNS1123_SUBDOMAIN_RULE)
      .check(headers.length > 0, 'headers', headers, 'at least one header');
    headers.forEach((h, i) => errors
      .check(HEADER_NAME.test(h.name ?? ''), `headers[${i}].name`, h.name, 'an HTTP header name (RFC 7230 token)')
      .check(typeof h.value === 'string' && h.value.trim().length > 0, `headers[${i}].value`, h.value, 'a non-empty CEL expression'));
    if (errors.report() || skipIfProblems(this, props.route)) return;

    this.apiObject = new (agentgatewayPolicyImport().AgentgatewayPolicy)(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: props.route.routeName }],
        traffic: {
          transformation: {
            response: { set: headers.map(h => ({ name: h.name, value: h.value })) },
          },
        },
      },
    });
  }
}
