import { Construct, IConstruct } from 'constructs';

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

  public readonly routeName: string;
  public readonly routeNamespace: string;

  private constructor(scope: Construct, id: string, attrs: HttpRouteAttributes) {
    super(scope, id);
    this.routeName = attrs?.name;
    this.routeNamespace = attrs?.namespace;
  }
}
