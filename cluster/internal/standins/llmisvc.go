package standins

import (
	"context"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The llmisvc controller (stand-in) plays what KServe's LLMInferenceService controller writes that the rest of the
// stack reads (kserve@v0.20.0:pkg/controller/v1alpha2/llmisvc): the HTTPRoute `<name>-kserve-route` (router.go,
// expectedHTTPRoute) and the v1 InferencePool `<name>-inference-pool` (scheduler.go, expectedSchedulerInferencePool),
// each with KServe's labels and a controller owner reference to the LLMInferenceService (so the garbage collector
// removes them with it), and the service's conditions. It does not make the model server's or the endpoint picker's
// Deployments, Services and RBAC, nor the transitional inference.networking.x-k8s.io pool: nothing here reads them and
// no container runs. Its conditions say they were written by the stand-in.

var (
	llmisvcs       = schema.GroupVersionResource{Group: "serving.kserve.io", Version: "v1alpha2", Resource: "llminferenceservices"}
	inferencePools = schema.GroupVersionResource{Group: "inference.networking.k8s.io", Version: "v1", Resource: "inferencepools"}
)

const (
	inferencePoolGroup = "inference.networking.k8s.io"
	// router.go: AnnotationInferencePoolMigrated, AnnotationModelBasedRoutingEnabled.
	poolMigratedAnnotation      = "serving.kserve.io/inference-pool-migrated"
	modelBasedRoutingAnnotation = "serving.kserve.io/model-based-routing-enabled"
	llmisvcMessage              = "set by the kcp llmisvc controller (stand-in for KServe's; no model server or endpoint picker runs)"
)

// llmisvcSuffixes are the kmeta.ChildName suffixes of the objects KServe makes, given by the harness from
// lib/shared/kserve-conventions.ts (LLMISVC_NAME_SUFFIXES), so they are spelled in one place.
type llmisvcSuffixes struct {
	Route           string `json:"route"`
	InferencePool   string `json:"inferencePool"`
	WorkloadService string `json:"workloadService"`
}

func (h *harness) llmisvcController(ctx context.Context) {
	if h.suffixes == nil {
		return
	}
	for _, svc := range h.list(ctx, llmisvcs) {
		if svc.GetDeletionTimestamp() != nil {
			continue
		}
		conds, err := h.reconcileLLMISVC(ctx, &svc)
		var notPlayed errNotPlayed
		var notFound errConfigNotFound
		switch {
		case errors.As(err, &notPlayed):
			h.once("llmisvc controller", string(svc.GetUID()), "LLMInferenceService %s: %v", key(&svc), err)
			continue
		case errors.As(err, &notFound):
			conds = []interface{}{llmisvcCondition("PresetsCombined", false, "ConfigNotFound", err.Error()), llmisvcCondition("Ready", false, "ConfigNotFound", err.Error())}
		case err != nil:
			logf("llmisvc controller", "LLMInferenceService %s: %v", key(&svc), err)
			continue
		}
		h.writeLLMISVCStatus(ctx, &svc, conds)
	}
}

// reconcileLLMISVC makes the route and pool, and returns the conditions KServe would then report.
func (h *harness) reconcileLLMISVC(ctx context.Context, svc *unstructured.Unstructured) ([]interface{}, error) {
	gc, err := h.loadGlobalConfig(ctx)
	if err != nil {
		return nil, err
	}
	spec, err := h.combinedSpec(ctx, svc)
	if err != nil {
		return nil, err
	}
	name := svc.GetName()
	modelName, _, _ := unstructured.NestedString(spec, "model", "name")
	if modelName == "" {
		modelName = name // the defaulting webhook's (v1alpha2 SetDefaults)
	}
	router := mapAt(spec, "router")
	scheduler, hasScheduler := router["scheduler"].(map[string]interface{})
	poolRef, _, _ := unstructured.NestedString(scheduler, "pool", "ref", "name")
	poolName := childName(name, h.suffixes.InferencePool)
	owner := []interface{}{map[string]interface{}{"apiVersion": svc.GetAPIVersion(), "kind": svc.GetKind(), "name": name, "uid": string(svc.GetUID()),
		"controller": true, "blockOwnerDeletion": true}}
	partOf := func(component string) map[string]interface{} { // RouterLabels, SchedulerLabels
		return map[string]interface{}{"app.kubernetes.io/component": component, "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "llminferenceservice"}
	}
	conds := []interface{}{llmisvcCondition("PresetsCombined", true, "", ""), llmisvcCondition("MainWorkloadReady", true, "", ""), llmisvcCondition("WorkloadsReady", true, "", "")}

	// The pool: when the scheduler is managed (a template from the scheduler config, no pool ref).
	if _, hasTemplate := scheduler["template"]; hasScheduler && hasTemplate && poolRef == "" {
		poolSpec, err := render(mapAt(mapAt(scheduler, "pool"), "spec"), svc, modelName, gc)
		if err != nil {
			return nil, err
		}
		pool := map[string]interface{}{"apiVersion": inferencePoolGroup + "/v1", "kind": "InferencePool",
			"metadata": map[string]interface{}{"name": poolName, "namespace": svc.GetNamespace(), "labels": partOf("llminferenceservice-router-scheduler"), "ownerReferences": owner},
			"spec":     poolSpec}
		if err := h.ensure(ctx, inferencePools, pool); err != nil {
			return nil, err
		}
		conds = append(conds, llmisvcCondition("SchedulerWorkloadReady", true, "", ""), llmisvcCondition("InferencePoolReady", true, "", ""))
	} else if err := h.removeOwned(ctx, inferencePools, svc, poolName); err != nil {
		return nil, err
	}

	// The route: when spec.router.route is set and names no routes of its own.
	if _, on := router["route"]; !on || hasRefs(router) {
		if err := h.removeOwned(ctx, httpRoutes, svc, childName(name, h.suffixes.Route)); err != nil {
			return nil, err
		}
	} else {
		rendered, err := render(mapAt(mapAt(router, "route"), "http")["spec"], svc, modelName, gc)
		if err != nil {
			return nil, err
		}
		routeSpec := mapOf(rendered)
		if routeSpec == nil {
			routeSpec = map[string]interface{}{}
		}
		annotations := map[string]interface{}{}
		h.pointRouteAt(ctx, routeSpec, spec, svc.GetNamespace(), name, poolName, poolRef, hasScheduler, gc, annotations)
		route := map[string]interface{}{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
			"metadata": map[string]interface{}{"name": childName(name, h.suffixes.Route), "namespace": svc.GetNamespace(), "labels": partOf("llminferenceservice-router"), "ownerReferences": owner},
			"spec":     routeSpec}
		if len(annotations) > 0 {
			mapOf(route["metadata"])["annotations"] = annotations
		}
		if err := h.ensure(ctx, httpRoutes, route); err != nil {
			return nil, err
		}
		// HTTPRoutesReady once the Gateway has accepted the route (here: the status writer stand-in for agentgateway).
		cur, err := h.dyn.Resource(httpRoutes).Namespace(svc.GetNamespace()).Get(ctx, childName(name, h.suffixes.Route), metav1.GetOptions{})
		if err != nil || !routeAccepted(cur) {
			return append(conds, llmisvcCondition("HTTPRoutesReady", false, "HTTPRouteNotAccepted", "waiting for the Gateway to accept the route"),
				llmisvcCondition("RouterReady", false, "HTTPRouteNotAccepted", ""), llmisvcCondition("Ready", false, "HTTPRouteNotAccepted", "")), nil
		}
		conds = append(conds, llmisvcCondition("HTTPRoutesReady", true, "", ""))
	}
	return append(conds, llmisvcCondition("RouterReady", true, "", ""), llmisvcCondition("Ready", true, "", "")), nil
}

func llmisvcCondition(t string, ok bool, reason, message string) map[string]interface{} {
	c := map[string]interface{}{"type": t, "status": "True", "lastTransitionTime": metav1.Now().UTC().Format("2006-01-02T15:04:05Z")}
	if !ok {
		c["status"] = "False"
	}
	if message == "" {
		message = llmisvcMessage
	}
	c["message"] = message
	if reason != "" {
		c["reason"] = reason
	}
	return c
}

// writeLLMISVCStatus writes the conditions (knative's: no observedGeneration in a condition) when they changed.
func (h *harness) writeLLMISVCStatus(ctx context.Context, svc *unstructured.Unstructured, conds []interface{}) {
	cur, _, _ := unstructured.NestedSlice(svc.Object, "status", "conditions")
	gen, _, _ := unstructured.NestedInt64(svc.Object, "status", "observedGeneration")
	if gen == svc.GetGeneration() && sameConditions(cur, conds) {
		return
	}
	svc.Object["status"] = map[string]interface{}{"conditions": conds, "observedGeneration": svc.GetGeneration()}
	if _, err := h.dyn.Resource(llmisvcs).Namespace(svc.GetNamespace()).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		logf("llmisvc controller", "LLMInferenceService %s: %v", key(svc), err)
		return
	}
	ready := "not ready"
	if conditionTrue(svc.Object, "Ready") {
		ready = "Ready"
	}
	logf("llmisvc controller", "LLMInferenceService %s: %s, status written for generation %d", key(svc), ready, svc.GetGeneration())
}

// sameConditions compares type, status and reason: lastTransitionTime moves only when those do.
func sameConditions(a, b []interface{}) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := mapOf(a[i]), mapOf(b[i])
		for _, k := range []string{"type", "status", "reason"} {
			if x[k] != y[k] {
				return false
			}
		}
	}
	return true
}
