package standins

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// How KServe's llmisvc controller combines an LLMInferenceService with its well-known LLMInferenceServiceConfigs
// (kserve@v0.20.0:pkg/controller/v1alpha2/llmisvc/config_merge.go, combineBaseRefsConfig), for the parts this stand-in
// plays: the route, the scheduler's pool and the annotations that switch model-based routing on.

var llmisvcConfigs = schema.GroupVersionResource{Group: "serving.kserve.io", Version: "v1alpha2", Resource: "llminferenceserviceconfigs"}

const (
	// KServe's system namespace and its configuration (pkg/constants: KServeNamespace, InferenceServiceConfigMapName).
	kserveNamespace = "kserve"
	kserveConfigMap = "inferenceservice-config"
	// The well-known configs, `kserve-` + suffix (config_merge.go: configPrefix, config*NameSuffix).
	configScheduler = "kserve-config-llm-scheduler"
	configRoute     = "kserve-config-llm-router-route"
	configTracing   = "kserve-config-llm-tracing"
	configTemplate  = "kserve-config-llm-template"
	configPrefill   = "kserve-config-llm-prefill-template"
	configDecode    = "kserve-config-llm-decode-template"
)

// globalConfig is what the config templates read from KServe's ConfigMap (templateGlobalConfig, config_loader.go NewConfig).
type globalConfig struct {
	IngressGatewayName, IngressGatewayNamespace, ModelBasedRoutingHeaderName, ModelBasedRoutingMode string
}

// loadGlobalConfig reads the `ingress` key of kserve/inferenceservice-config, with KServe's defaults
// (pkg/apis/serving/v1beta1/configmap.go: DefaultModelBasedRoutingHeaderName).
func (h *harness) loadGlobalConfig(ctx context.Context) (globalConfig, error) {
	cm, err := h.core.CoreV1().ConfigMaps(kserveNamespace).Get(ctx, kserveConfigMap, metav1.GetOptions{})
	if err != nil {
		return globalConfig{}, err
	}
	var ingress struct {
		KserveIngressGateway        string `json:"kserveIngressGateway"`
		ModelBasedRoutingHeaderName string `json:"modelBasedRoutingHeaderName"`
		ModelBasedRoutingMode       string `json:"modelBasedRoutingMode"`
	}
	if err := json.Unmarshal([]byte(cm.Data["ingress"]), &ingress); err != nil {
		return globalConfig{}, fmt.Errorf("%s/%s ingress: %w", kserveNamespace, kserveConfigMap, err)
	}
	gc := globalConfig{IngressGatewayNamespace: kserveNamespace, IngressGatewayName: ingress.KserveIngressGateway,
		ModelBasedRoutingHeaderName: ingress.ModelBasedRoutingHeaderName, ModelBasedRoutingMode: strings.ToLower(ingress.ModelBasedRoutingMode)}
	if ns, name, ok := strings.Cut(ingress.KserveIngressGateway, "/"); ok {
		gc.IngressGatewayNamespace, gc.IngressGatewayName = ns, name
	}
	if gc.ModelBasedRoutingHeaderName == "" {
		gc.ModelBasedRoutingHeaderName = "X-Gateway-Model-Name"
	}
	return gc, nil
}

// errNotPlayed marks an LLMInferenceService shape this stand-in does not play (it says so in its log).
type errNotPlayed struct{ what string }

func (e errNotPlayed) Error() string { return e.what + " is not played by this stand-in" }

// errConfigNotFound is KServe's configNotFoundError: the LLMInferenceService waits (PresetsCombined False).
type errConfigNotFound struct{ name, namespace string }

func (e errConfigNotFound) Error() string {
	return fmt.Sprintf("LLMInferenceServiceConfig %q not found in namespaces [%q, %q]", e.name, e.namespace, kserveNamespace)
}

// combinedSpec is the LLMInferenceService's spec merged over its well-known configs and its baseRefs, in KServe's order.
func (h *harness) combinedSpec(ctx context.Context, svc *unstructured.Unstructured) (map[string]interface{}, error) {
	spec, _, _ := unstructured.NestedMap(svc.Object, "spec")
	var baseRefs []string
	refs, _, _ := unstructured.NestedSlice(svc.Object, "spec", "baseRefs")
	for _, r := range refs {
		if name, _ := mapOf(r)["name"].(string); name != "" {
			baseRefs = append(baseRefs, name)
		}
	}
	// What is enabled is read from the spec merged with its baseRefs.
	resolved := spec
	for _, name := range baseRefs {
		cfg, err := h.llmisvcConfig(ctx, svc.GetNamespace(), name)
		if err != nil {
			return nil, err
		}
		resolved = merge(resolved, cfg)
	}
	router := mapAt(resolved, "router")
	scheduler := mapAt(router, "scheduler")
	var names []string
	if _, on := router["scheduler"]; on && mapAt(mapAt(scheduler, "pool"), "ref") == nil {
		names = append(names, configScheduler)
	}
	if _, on := router["route"]; on && !hasRefs(router) {
		names = append(names, configRoute)
	}
	if _, on := resolved["tracing"]; on {
		names = append(names, configTracing)
	}
	if _, worker := resolved["worker"]; worker {
		return nil, errNotPlayed{"a multi-node workload (spec.worker)"}
	}
	if prefill, on := resolved["prefill"]; on {
		if _, worker := mapOf(prefill)["worker"]; worker {
			return nil, errNotPlayed{"a multi-node prefill workload (spec.prefill.worker)"}
		}
		names = append(names, configPrefill, configDecode)
	} else {
		names = append(names, configTemplate)
	}
	out := map[string]interface{}{}
	for _, name := range append(names, baseRefs...) {
		cfg, err := h.llmisvcConfig(ctx, svc.GetNamespace(), name)
		if err != nil {
			return nil, err
		}
		out = merge(out, cfg)
	}
	return merge(out, spec), nil
}

func hasRefs(router map[string]interface{}) bool {
	refs, _ := mapAt(mapAt(router, "route"), "http")["refs"].([]interface{})
	return len(refs) > 0
}

// llmisvcConfig is the spec of the named config, from the service's namespace or else KServe's (getConfig).
func (h *harness) llmisvcConfig(ctx context.Context, namespace, name string) (map[string]interface{}, error) {
	for _, ns := range []string{namespace, kserveNamespace} {
		cfg, err := h.dyn.Resource(llmisvcConfigs).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		spec, _, _ := unstructured.NestedMap(cfg.Object, "spec")
		return spec, nil
	}
	return nil, errConfigNotFound{name, namespace}
}

// merge lays override over base as KServe's strategic merge does for the fields this stand-in reads: maps merge key by
// key, lists and scalars are replaced (the Gateway API and Inference Extension types carry no patch strategy).
func merge(base, override map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if b, ok := out[k].(map[string]interface{}); ok {
			if o, ok := v.(map[string]interface{}); ok {
				out[k] = merge(b, o)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// render executes the Go templates in v's strings as KServe's ReplaceVariables does (the whole value as JSON text,
// with ChildName), over the fields this stand-in supplies; a template naming any other field is an error.
func render(v interface{}, svc *unstructured.Unstructured, modelName string, gc globalConfig) (interface{}, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	t, err := template.New("config").Funcs(template.FuncMap{"ChildName": childName}).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, err
	}
	data := map[string]interface{}{
		"ObjectMeta":   map[string]interface{}{"Name": svc.GetName(), "Namespace": svc.GetNamespace(), "Labels": svc.GetLabels(), "Annotations": svc.GetAnnotations()},
		"Spec":         map[string]interface{}{"Model": map[string]interface{}{"Name": modelName}},
		"GlobalConfig": map[string]interface{}{"SystemNamespace": kserveNamespace, "IngressGatewayName": gc.IngressGatewayName, "IngressGatewayNamespace": gc.IngressGatewayNamespace, "ModelBasedRoutingHeaderName": gc.ModelBasedRoutingHeaderName},
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("%v (this stand-in supplies ObjectMeta, Spec.Model.Name and GlobalConfig)", err)
	}
	var out interface{}
	return out, json.Unmarshal(buf.Bytes(), &out)
}

var trailingNonAlnum = regexp.MustCompile(`[^a-zA-Z0-9]+$`)

// childName is knative.dev/pkg kmeta.ChildName, as lib/shared/kserve-conventions.ts (kmetaChildName) has it.
func childName(parent, suffix string) string {
	const longest = 63
	const head = longest - 32
	if len(parent) <= longest-len(suffix) {
		return parent + suffix
	}
	md5hex := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	if head-len(suffix) <= 0 {
		ret := parent
		if head < len(parent) {
			ret = parent[:head]
		}
		ret += md5hex(parent + suffix)
		if room := longest - len(ret); room > 0 {
			ret += suffix[:min(room, len(suffix))]
		}
		return trailingNonAlnum.ReplaceAllString(ret, "")
	}
	return parent[:head-len(suffix)] + md5hex(parent) + suffix
}
