package standins

import (
	"context"
	"reflect"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The controller names the real controllers write into route and policy status.
const agentgatewayController = "agentgateway.dev/agentgateway"

var (
	gatewayClasses = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
	gateways       = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	httpRoutes     = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
	isvcs          = schema.GroupVersionResource{Group: "serving.kserve.io", Version: "v1beta1", Resource: "inferenceservices"}
	agwPolicies    = schema.GroupVersionResource{Group: "agentgateway.dev", Version: "v1alpha1", Resource: "agentgatewaypolicies"}
	agwBackends    = schema.GroupVersionResource{Group: "agentgateway.dev", Version: "v1alpha1", Resource: "agentgatewaybackends"}
	standInMessage = "set by the kcp status writer (stand-in for the controller that owns this resource)"
	standInReason  = "KcpStandIn"
)

func condition(t string, generation int64) map[string]interface{} {
	return map[string]interface{}{"type": t, "status": "True", "reason": t, "message": standInMessage,
		"lastTransitionTime": metav1.Now().UTC().Format("2006-01-02T15:04:05Z"), "observedGeneration": generation}
}

func conditions(generation int64, types ...string) []interface{} {
	out := make([]interface{}, 0, len(types))
	for _, t := range types {
		out = append(out, condition(t, generation))
	}
	return out
}

// statusWriter writes the conditions the controllers of KServe, agentgateway and Gateway API would write once they
// had reconciled each object, and rewrites them when an object's generation moves on.
func (h *harness) statusWriter(ctx context.Context) {
	h.writeStatus(ctx, gatewayClasses, func(o *unstructured.Unstructured) map[string]interface{} {
		return map[string]interface{}{"conditions": conditions(o.GetGeneration(), "Accepted", "SupportedVersion")}
	})
	h.writeStatus(ctx, gateways, func(o *unstructured.Unstructured) map[string]interface{} {
		listeners, _, _ := unstructured.NestedSlice(o.Object, "spec", "listeners")
		var ls []interface{}
		for _, l := range listeners {
			name, _, _ := unstructured.NestedString(l.(map[string]interface{}), "name")
			ls = append(ls, map[string]interface{}{"name": name, "attachedRoutes": int64(0),
				"supportedKinds": []interface{}{map[string]interface{}{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}},
				"conditions":     conditions(o.GetGeneration(), "Accepted", "Programmed", "ResolvedRefs")})
		}
		st := map[string]interface{}{"conditions": conditions(o.GetGeneration(), "Accepted", "Programmed")}
		if ls != nil {
			st["listeners"] = ls
		}
		return st
	})
	h.writeStatus(ctx, httpRoutes, func(o *unstructured.Unstructured) map[string]interface{} {
		parentRefs, _, _ := unstructured.NestedSlice(o.Object, "spec", "parentRefs")
		var parents []interface{}
		for _, p := range parentRefs {
			parents = append(parents, map[string]interface{}{"parentRef": p, "controllerName": agentgatewayController,
				"conditions": conditions(o.GetGeneration(), "Accepted", "ResolvedRefs")})
		}
		return map[string]interface{}{"parents": orEmpty(parents)}
	})
	h.writeStatus(ctx, isvcs, func(o *unstructured.Unstructured) map[string]interface{} {
		return map[string]interface{}{
			"conditions": conditions(o.GetGeneration(), "IngressReady", "PredictorReady", "Ready"),
			"url":        "http://" + o.GetName() + "-" + o.GetNamespace() + ".example.com",
		}
	})
	h.writeStatus(ctx, agwBackends, func(o *unstructured.Unstructured) map[string]interface{} {
		return map[string]interface{}{"conditions": conditions(o.GetGeneration(), "Accepted")}
	})
	h.writeStatus(ctx, agwPolicies, func(o *unstructured.Unstructured) map[string]interface{} {
		targets, _, _ := unstructured.NestedSlice(o.Object, "spec", "targetRefs")
		var ancestors []interface{}
		for _, t := range targets {
			m := t.(map[string]interface{})
			ref := map[string]interface{}{"group": m["group"], "kind": m["kind"], "name": m["name"], "namespace": o.GetNamespace()}
			ancestors = append(ancestors, map[string]interface{}{"ancestorRef": ref, "controllerName": agentgatewayController,
				"conditions": conditions(o.GetGeneration(), "Accepted", "Attached")})
		}
		return map[string]interface{}{"ancestors": orEmpty(ancestors)}
	})
}

func orEmpty(s []interface{}) []interface{} {
	if s == nil {
		return []interface{}{}
	}
	return s
}

// writeStatus sets each object's status to what want computes, unless it already records the object's generation.
func (h *harness) writeStatus(ctx context.Context, gvr schema.GroupVersionResource, want func(*unstructured.Unstructured) map[string]interface{}) {
	for _, o := range h.list(ctx, gvr) {
		// What it wrote is remembered by uid and generation: a CRD may prune observedGeneration from conditions.
		done := string(o.GetUID()) + "/" + strconv.FormatInt(o.GetGeneration(), 10)
		if o.GetDeletionTimestamp() != nil || h.written[done] {
			continue
		}
		st := want(&o)
		if cur, ok := o.Object["status"]; ok && reflect.DeepEqual(cur, st) {
			h.written[done] = true
			continue
		}
		o.Object["status"] = st
		if _, err := h.dyn.Resource(gvr).Namespace(o.GetNamespace()).UpdateStatus(ctx, &o, metav1.UpdateOptions{}); err != nil {
			logf("status writer", "%s %s: %v", o.GetKind(), key(&o), err)
		} else {
			h.written[done] = true
			logf("status writer", "%s %s: status written for generation %d", o.GetKind(), key(&o), o.GetGeneration())
		}
	}
}
