package standins

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The route KServe's llmisvc controller makes, past its config: how it points backends and keeps or drops rules.

// pointRouteAt applies KServe's rewrites of the route's backends and rules (config_merge.go, router.go): parentRefs
// from spec.router.gateway.refs; without a scheduler the default pool becomes the workload Service, with a pool ref
// that pool; the model-based routing matches go unless it is on; a managed pool is referenced in the v1 group, which
// is where KServe settles once agentgateway (which resolves only v1 pools: agentgateway@v1.4.1:controller/pkg/
// agentgateway/plugins/reference_indexes.go) has reported the transitional group's ResolvedRefs InvalidKind.
func (h *harness) pointRouteAt(ctx context.Context, route, spec map[string]interface{}, namespace, name, poolName, poolRef string, hasScheduler bool, gc globalConfig, annotations map[string]interface{}) {
	if refs, _, _ := unstructured.NestedSlice(spec, "router", "gateway", "refs"); len(refs) > 0 {
		var parents []interface{}
		for _, r := range refs {
			m := mapOf(r)
			p := map[string]interface{}{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": m["name"]}
			for _, k := range []string{"namespace", "sectionName"} {
				if v, ok := m[k].(string); ok && v != "" {
					p[k] = v
				}
			}
			parents = append(parents, p)
		}
		route["parentRefs"] = parents
	}
	rules, _ := route["rules"].([]interface{})
	for _, r := range rules {
		refs, _ := mapOf(r)["backendRefs"].([]interface{})
		for _, b := range refs {
			ref := mapOf(b)
			if ref["kind"] != "InferencePool" || ref["name"] != poolName {
				continue
			}
			switch {
			case !hasScheduler:
				ref["group"], ref["kind"], ref["name"] = "", "Service", childName(name, h.suffixes.WorkloadService)
			case poolRef != "":
				ref["name"] = poolRef
			default:
				ref["group"] = inferencePoolGroup
				annotations[poolMigratedAnnotation] = "v1"
			}
		}
	}
	if !h.modelBasedRouting(ctx, spec, route, namespace, gc) {
		route["rules"] = stripHeaderMatches(rules, gc.ModelBasedRoutingHeaderName)
	}
}

// modelBasedRouting is isModelBasedRoutingEnabled (config_merge.go): on when the merged spec's annotations ask for it,
// unless the mode is disabled or (in the default mode) a parent Gateway opts out.
func (h *harness) modelBasedRouting(ctx context.Context, spec, route map[string]interface{}, namespace string, gc globalConfig) bool {
	if on, _, _ := unstructured.NestedString(spec, "annotations", modelBasedRoutingAnnotation); on != "true" || gc.ModelBasedRoutingMode == "disabled" {
		return false
	}
	if gc.ModelBasedRoutingMode == "forced" {
		return true
	}
	parents, _ := route["parentRefs"].([]interface{})
	for _, p := range parents {
		m := mapOf(p)
		if kind, _ := m["kind"].(string); kind != "" && kind != "Gateway" {
			continue
		}
		ns, _ := m["namespace"].(string)
		if ns == "" {
			ns = namespace
		}
		n, _ := m["name"].(string)
		gw, err := h.dyn.Resource(gateways).Namespace(ns).Get(ctx, n, metav1.GetOptions{})
		if err == nil && gw.GetAnnotations()[modelBasedRoutingAnnotation] == "false" {
			return false
		}
	}
	return true
}

// stripHeaderMatches is stripModelBasedRoutingRules: matches on the routing header go, and rules left without one.
func stripHeaderMatches(rules []interface{}, header string) []interface{} {
	out := []interface{}{}
	for _, r := range rules {
		rule := mapOf(r)
		matches, _ := rule["matches"].([]interface{})
		var kept []interface{}
		for _, m := range matches {
			byHeader := false
			headers, _ := mapOf(m)["headers"].([]interface{})
			for _, hd := range headers {
				if mapOf(hd)["name"] == header {
					byHeader = true
				}
			}
			if !byHeader {
				kept = append(kept, m)
			}
		}
		if len(kept) > 0 {
			rule["matches"] = kept
			out = append(out, rule)
		}
	}
	return out
}

func routeAccepted(route *unstructured.Unstructured) bool {
	parents, _, _ := unstructured.NestedSlice(route.Object, "status", "parents")
	for _, p := range parents {
		conds, _ := mapOf(p)["conditions"].([]interface{})
		for _, c := range conds {
			if m := mapOf(c); m["type"] == "Accepted" && m["status"] == "True" {
				return true
			}
		}
	}
	return false
}
