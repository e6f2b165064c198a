/** An HTTPRoute a policy can target: one this app defines, or one KServe generates. */
export interface IHttpRouteRef {
  /** Route name. */
  readonly routeName: string;
  /** Route namespace. */
  readonly routeNamespace: string;
}

/** References to HTTPRoutes this app does not define. */
export class HttpRouteRef {
  /**
   * A route by name, e.g. the `mock-llm` route KServe generates for an InferenceService
   * (`HttpRouteRef.fromName(isvc.generatedRouteName, isvc.namespace)`).
   */
  public static fromName(routeName: string, routeNamespace: string): IHttpRouteRef {
    return { routeName, routeNamespace };
  }

  private constructor() {}
}
