import { Construct, IConstruct } from 'constructs';
import { checkProps, DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE, isDns1123Label, isDns1123Subdomain, PropErrors } from '../shared/validation';

/** An HTTPRoute a policy can target: one this app defines, or one KServe generates. */
export interface IHttpRouteRef extends IConstruct {
  /** Route name. */
  readonly routeName: string;
  /** Route namespace. */
  readonly routeNamespace: string;
}

/** What identifies an HTTPRoute this app does not define. */
export interface HttpRouteAttributes {
  /** Route name, e.g. `mock-llm`, the route KServe generates for the InferenceService `mock-llm`. */
  readonly name: string;
  /** Route namespace. */
  readonly namespace: string;
}

/** An HTTPRoute this app does not define, imported by name: it emits nothing. */
export class HttpRouteRef extends Construct implements IHttpRouteRef {
  /**
   * A route by name, e.g. the `mock-llm` route KServe generates for an InferenceService
   * (`HttpRouteRef.fromHttpRouteAttributes(this, 'Generated', { name: isvc.generatedRouteName, namespace: isvc.namespace })`).
   */
  public static fromHttpRouteAttributes(scope: Construct, id: string, attrs: HttpRouteAttributes): IHttpRouteRef {
    return new HttpRouteRef(scope, id, attrs);
  }

  public readonly routeName!: string;
  public readonly routeNamespace!: string;

  private constructor(scope: Construct, id: string, attrs: HttpRouteAttributes) {
    super(scope, id);
    if (!checkProps('HttpRouteRef.fromHttpRouteAttributes', this, attrs, ['name', 'namespace'])) return;
    this.routeName = attrs.name;
    this.routeNamespace = attrs.namespace;
    new PropErrors('HttpRouteRef.fromHttpRouteAttributes', this)
      .check(isDns1123Subdomain(attrs.name), 'name', attrs.name, DNS1123_SUBDOMAIN_RULE)
      .check(isDns1123Label(attrs.namespace), 'namespace', attrs.namespace, DNS1123_LABEL_RULE)
      .report();
  }
}
