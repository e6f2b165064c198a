package standins

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// KServe's LLMInferenceService and LLMInferenceServiceConfig serve v1alpha1 and v1alpha2 and store v1alpha2 (the hub);
// the conversion webhook (stand-in) converts between them as kserve@v0.20.0:pkg/apis/serving/v1alpha1/
// llm_inference_service_conversion.go does. The two versions' schemas (kserve.yaml at v0.20.0) differ, path by path,
// only in: spec.model.criticality (v1alpha1; kept in an annotation on v1alpha2), the scheduler's pool spec (Gateway
// API Inference Extension v1alpha2 form in v1alpha1, v1 form in v1alpha2), spec.model.confidential,
// spec.kvCacheOffloading and spec.prefill.kvCacheOffloading (v1alpha2 only), and status. Every other field is copied
// as is, as KServe's converter copies it.
const (
	llmisvcGroup = "serving.kserve.io"
	// kserve@v0.20.0:pkg/apis/serving/v1alpha1/llm_inference_service_conversion.go
	modelCriticalityAnnotation  = "internal.serving.kserve.io/model-criticality"
	loraCriticalitiesAnnotation = "internal.serving.kserve.io/lora-criticalities"
	// The EPP's gRPC port KServe defaults a Service endpoint picker to (pkg/apis/gie/v1alpha2pool/inferencepool_conversion.go).
	defaultEndpointPickerPort = int64(9002)
)

// convertsLLMISVC says whether this stand-in knows how to convert the object (else it only rewrites apiVersion).
func convertsLLMISVC(o map[string]interface{}) bool {
	kind, _ := o["kind"].(string)
	return groupOf(o) == llmisvcGroup && (kind == "LLMInferenceService" || kind == "LLMInferenceServiceConfig")
}

func groupOf(o map[string]interface{}) string {
	av, _ := o["apiVersion"].(string)
	for i := len(av) - 1; i >= 0; i-- {
		if av[i] == '/' {
			return av[:i]
		}
	}
	return ""
}

// convertLLMISVC converts an LLMInferenceService or LLMInferenceServiceConfig to desired (serving.kserve.io/v1alpha1
// or /v1alpha2), as KServe's ConvertTo (v1alpha1 to the hub) or ConvertFrom (the hub to v1alpha1) does.
func convertLLMISVC(o map[string]interface{}, desired string) (map[string]interface{}, error) {
	from, _ := o["apiVersion"].(string)
	if from == desired {
		return o, nil
	}
	out := deepCopy(o)
	out["apiVersion"] = desired
	spec, _ := out["spec"].(map[string]interface{})
	meta, _ := out["metadata"].(map[string]interface{})
	if meta == nil {
		meta = map[string]interface{}{}
		out["metadata"] = meta
	}
	switch desired {
	case llmisvcGroup + "/v1alpha2":
		if spec != nil {
			saveCriticality(meta, spec)
			if err := mapPoolSpec(spec, poolSpecToV1); err != nil {
				return nil, err
			}
		}
	case llmisvcGroup + "/v1alpha1":
		if spec != nil {
			for _, m := range []map[string]interface{}{spec, mapAt(spec, "prefill")} {
				if m != nil {
					delete(m, "kvCacheOffloading")
				}
			}
			if err := mapPoolSpec(spec, poolSpecFromV1); err != nil {
				return nil, err
			}
			restoreCriticality(meta, spec)
		}
	default:
		return nil, fmt.Errorf("cannot convert %s to %s: KServe v0.20.0 serves v1alpha1 and v1alpha2", from, desired)
	}
	if model := mapAt(spec, "model"); model != nil {
		// KServe's converters build each model and LoRA adapter from uri, name and lora only.
		if desired == llmisvcGroup+"/v1alpha2" {
			delete(model, "criticality")
		} else {
			delete(model, "confidential")
		}
		adapterFields := []string{"uri", "name", "lora"}
		if desired == llmisvcGroup+"/v1alpha1" {
			adapterFields = append(adapterFields, "criticality") // restored from the annotation above
		}
		if adapters, ok := mapAt(model, "lora")["adapters"].([]interface{}); ok {
			for i, a := range adapters {
				if m, ok := a.(map[string]interface{}); ok {
					adapters[i] = keep(m, adapterFields...)
				}
			}
		}
	}
	if st, ok := out["status"].(map[string]interface{}); ok {
		out["status"] = convertStatus(st, out["kind"] == "LLMInferenceServiceConfig")
	}
	return out, nil
}

// convertStatus keeps what KServe's converters carry over: the duck status (conditions, observedGeneration,
// annotations) and, for an LLMInferenceService, url, address and addresses (without v1alpha2's origin and models).
func convertStatus(st map[string]interface{}, config bool) map[string]interface{} {
	if config {
		return keep(st, "conditions", "observedGeneration", "annotations")
	}
	out := keep(st, "conditions", "observedGeneration", "annotations", "url", "address")
	if addrs, ok := st["addresses"].([]interface{}); ok {
		var kept []interface{}
		for _, a := range addrs {
			if m, ok := a.(map[string]interface{}); ok {
				kept = append(kept, keep(m, "name", "url", "CACerts", "audience"))
			}
		}
		out["addresses"] = kept
	}
	return out
}

// saveCriticality moves v1alpha1's model and LoRA adapter criticalities into the annotations v1alpha2 keeps them in.
func saveCriticality(meta, spec map[string]interface{}) {
	model := mapAt(spec, "model")
	if c, _ := model["criticality"].(string); c != "" {
		annotations(meta)[modelCriticalityAnnotation] = c
	}
	adapters, _ := mapAt(model, "lora")["adapters"].([]interface{})
	saved := map[string]string{}
	for i, a := range adapters {
		if m, ok := a.(map[string]interface{}); ok {
			if c, _ := m["criticality"].(string); c != "" {
				saved[strconv.Itoa(i)] = c
			}
		}
	}
	if len(saved) > 0 {
		// json.Marshal of KServe's map[int]string: keys as strings, in order.
		b, _ := json.Marshal(saved)
		annotations(meta)[loraCriticalitiesAnnotation] = string(b)
	}
}

// restoreCriticality puts the annotations' criticalities back into a v1alpha1 model, removing the annotations.
func restoreCriticality(meta, spec map[string]interface{}) {
	ann, _ := meta["annotations"].(map[string]interface{})
	if ann == nil {
		return
	}
	model := mapAt(spec, "model")
	if c, _ := ann[modelCriticalityAnnotation].(string); c != "" && model != nil {
		model["criticality"] = c
	}
	delete(ann, modelCriticalityAnnotation)
	if raw, _ := ann[loraCriticalitiesAnnotation].(string); raw != "" {
		var saved map[string]string
		if json.Unmarshal([]byte(raw), &saved) == nil {
			adapters, _ := mapAt(model, "lora")["adapters"].([]interface{})
			for i, a := range adapters {
				if m, ok := a.(map[string]interface{}); ok && saved[strconv.Itoa(i)] != "" {
					m["criticality"] = saved[strconv.Itoa(i)]
				}
			}
		}
	}
	delete(ann, loraCriticalitiesAnnotation)
	if len(ann) == 0 {
		delete(meta, "annotations")
	}
}

// mapPoolSpec converts spec.router.scheduler.pool.spec in place, if there is one.
func mapPoolSpec(spec map[string]interface{}, f func(map[string]interface{}) (map[string]interface{}, error)) error {
	pool := mapAt(mapAt(mapAt(spec, "router"), "scheduler"), "pool")
	ps, ok := pool["spec"].(map[string]interface{})
	if !ok {
		return nil
	}
	converted, err := f(ps)
	if err != nil {
		return err
	}
	pool["spec"] = converted
	return nil
}

// poolSpecToV1 is the Inference Extension's v1alpha2 to v1 InferencePool conversion, as KServe vendors it
// (kserve@v0.20.0:pkg/apis/gie/v1alpha2pool/inferencepool_conversion.go, ConvertTo).
func poolSpecToV1(in map[string]interface{}) (map[string]interface{}, error) {
	out := map[string]interface{}{"targetPorts": []interface{}{map[string]interface{}{"number": in["targetPortNumber"]}}}
	if sel, ok := in["selector"].(map[string]interface{}); ok {
		out["selector"] = map[string]interface{}{"matchLabels": sel}
	}
	ext := mapAt(in, "extensionRef")
	ref := map[string]interface{}{"name": ext["name"], "kind": "Service", "failureMode": "FailClose"}
	if g, ok := ext["group"]; ok {
		ref["group"] = g
	}
	if k, ok := ext["kind"].(string); ok {
		ref["kind"] = k
	}
	if f, ok := ext["failureMode"].(string); ok {
		ref["failureMode"] = f
	}
	if p, ok := ext["portNumber"]; ok {
		ref["port"] = map[string]interface{}{"number": p}
	} else if ref["kind"] == "Service" || ref["kind"] == "" {
		// The v1 CRD requires a port for a Service endpoint picker; KServe defaults it.
		ref["port"] = map[string]interface{}{"number": defaultEndpointPickerPort}
	}
	out["endpointPickerRef"] = ref
	return out, nil
}

// poolSpecFromV1 is the reverse (ConvertFrom): appProtocol and all target ports but the first have no v1alpha2 form.
func poolSpecFromV1(in map[string]interface{}) (map[string]interface{}, error) {
	ports, _ := in["targetPorts"].([]interface{})
	if len(ports) == 0 {
		return nil, fmt.Errorf("spec.router.scheduler.pool.spec.targetPorts is empty: the v1alpha2 pool needs targetPortNumber")
	}
	out := map[string]interface{}{"targetPortNumber": mapOf(ports[0])["number"]}
	if sel := mapAt(mapAt(in, "selector"), "matchLabels"); sel != nil {
		out["selector"] = sel
	}
	ref := mapAt(in, "endpointPickerRef")
	ext := map[string]interface{}{"name": ref["name"], "kind": ref["kind"], "failureMode": ref["failureMode"]}
	if g, ok := ref["group"]; ok {
		ext["group"] = g
	}
	if p, ok := mapAt(ref, "port")["number"]; ok {
		ext["portNumber"] = p
	}
	for k, v := range ext {
		if v == nil {
			delete(ext, k)
		}
	}
	out["extensionRef"] = ext
	return out, nil
}

func mapOf(v interface{}) map[string]interface{} {
	m, _ := v.(map[string]interface{})
	return m
}

// mapAt is m[key] as a map, or nil (also when m is nil).
func mapAt(m map[string]interface{}, key string) map[string]interface{} {
	if m == nil {
		return nil
	}
	return mapOf(m[key])
}

func annotations(meta map[string]interface{}) map[string]interface{} {
	ann, _ := meta["annotations"].(map[string]interface{})
	if ann == nil {
		ann = map[string]interface{}{}
		meta["annotations"] = ann
	}
	return ann
}

// keep is a copy of m with only these keys.
func keep(m map[string]interface{}, keys ...string) map[string]interface{} {
	out := map[string]interface{}{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

func deepCopy(o map[string]interface{}) map[string]interface{} {
	b, _ := json.Marshal(o)
	var out map[string]interface{}
	_ = json.Unmarshal(b, &out)
	return out
}
