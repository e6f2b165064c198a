package standins

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// server is the stand-in for the pods behind one webhook Service, listening on the Service's ClusterIP and port.
type server struct {
	addr string
	http *http.Server
	ln   net.Listener
}

type serviceRef struct {
	namespace, name string
	port            int64
}

// webhookServices are the Services that webhook configurations and CRD conversion webhooks call.
func (h *harness) webhookServices(ctx context.Context) map[serviceRef]bool {
	refs := map[serviceRef]bool{}
	add := func(svc map[string]interface{}) {
		if svc == nil {
			return
		}
		ns, _ := svc["namespace"].(string)
		name, _ := svc["name"].(string)
		port := int64(443)
		if p, ok := svc["port"].(int64); ok {
			port = p
		}
		refs[serviceRef{ns, name, port}] = true
	}
	for _, whs := range [][]unstructured.Unstructured{h.list(ctx, validatingWHs), h.list(ctx, mutatingWHs)} {
		for _, wh := range whs {
			hooks, _, _ := unstructured.NestedSlice(wh.Object, "webhooks")
			for _, hook := range hooks {
				svc, _, _ := unstructured.NestedMap(hook.(map[string]interface{}), "clientConfig", "service")
				add(svc)
			}
		}
	}
	for _, crd := range h.list(ctx, crds) {
		svc, _, _ := unstructured.NestedMap(crd.Object, "spec", "conversion", "webhook", "clientConfig", "service")
		add(svc)
	}
	return refs
}

// webhookServers serves each webhook Service on its ClusterIP while it has a ready endpoint, and stops serving it
// when it has none, so kube-apiserver's calls fail exactly when a real cluster's would.
func (h *harness) webhookServers(ctx context.Context) {
	want := map[string]serviceRef{}
	for ref := range h.webhookServices(ctx) {
		svc, err := h.core.CoreV1().Services(ref.namespace).Get(ctx, ref.name, metav1.GetOptions{})
		if err != nil || svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == "None" {
			continue
		}
		slices, err := h.core.DiscoveryV1().EndpointSlices(ref.namespace).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + ref.name})
		if err != nil {
			continue
		}
		ready := false
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && *e.Conditions.Ready {
					ready = true
				}
			}
		}
		if ready {
			want[net.JoinHostPort(svc.Spec.ClusterIP, strconv.FormatInt(ref.port, 10))] = ref
		}
	}
	for addr, s := range h.servers {
		if _, ok := want[addr]; !ok {
			_ = s.http.Close()
			delete(h.servers, addr)
			logf("webhook server", "%s: no ready endpoint, stopped serving", addr)
		}
	}
	for addr, ref := range want {
		if _, ok := h.servers[addr]; ok {
			continue
		}
		if s, err := h.serve(addr, ref); err != nil {
			logf("webhook server", "%s/%s on %s: %v", ref.namespace, ref.name, addr, err)
		} else {
			h.servers[addr] = s
			logf("webhook server", "serving Service %s/%s on %s (admits every request)", ref.namespace, ref.name, addr)
		}
	}
}

func (h *harness) stopServers() {
	for addr, s := range h.servers {
		_ = s.http.Close()
		delete(h.servers, addr)
	}
}

func (h *harness) serve(addr string, ref serviceRef) (*server, error) {
	host := ref.name + "." + ref.namespace + ".svc"
	crt, k, err := h.ca.Issue(host, nil, []string{host, host + ".cluster.local", ref.name + "." + ref.namespace})
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(crt, k)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, ln: ln, http: &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { review(w, r, ref) }),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}}
	go func() { _ = s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

// review answers an AdmissionReview (allowed, no patch) or a ConversionReview (see convertAll).
func review(w http.ResponseWriter, r *http.Request, ref serviceRef) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var in struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Request    struct {
			UID               string                   `json:"uid"`
			DesiredAPIVersion string                   `json:"desiredAPIVersion"`
			Objects           []map[string]interface{} `json:"objects"`
			Kind              struct{ Kind string }    `json:"kind"`
			Operation         string                   `json:"operation"`
			Namespace         string                   `json:"namespace"`
			Name              string                   `json:"name"`
		} `json:"request"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "not a review: "+err.Error(), http.StatusBadRequest)
		return
	}
	var out map[string]interface{}
	switch in.Kind {
	case "AdmissionReview":
		out = map[string]interface{}{"apiVersion": in.APIVersion, "kind": in.Kind,
			"response": map[string]interface{}{"uid": in.Request.UID, "allowed": true}}
		logf("webhook server", "%s/%s%s: admitted %s %s %s/%s", ref.namespace, ref.name, r.URL.Path, in.Request.Operation, in.Request.Kind.Kind, in.Request.Namespace, in.Request.Name)
	case "ConversionReview":
		converted, err := convertAll(in.Request.Objects, in.Request.DesiredAPIVersion)
		result := map[string]interface{}{"status": "Success"}
		if err != nil {
			result = map[string]interface{}{"status": "Failure", "message": err.Error()}
			logf("webhook server", "%s/%s%s: cannot convert to %s: %v", ref.namespace, ref.name, r.URL.Path, in.Request.DesiredAPIVersion, err)
		} else {
			logf("webhook server", "%s/%s%s: converted %d objects to %s", ref.namespace, ref.name, r.URL.Path, len(converted), in.Request.DesiredAPIVersion)
		}
		out = map[string]interface{}{"apiVersion": in.APIVersion, "kind": in.Kind,
			"response": map[string]interface{}{"uid": in.Request.UID, "convertedObjects": converted, "result": result}}
	default:
		http.Error(w, "unknown review kind "+in.Kind, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// convertAll converts KServe's LLMInferenceService and LLMInferenceServiceConfig as KServe does (conversion.go).
// Any other object is only given the requested apiVersion: right for versions with one schema, which is all a
// stand-in can promise for a kind it does not know.
func convertAll(objects []map[string]interface{}, desired string) ([]map[string]interface{}, error) {
	out := make([]map[string]interface{}, 0, len(objects))
	for _, o := range objects {
		if !convertsLLMISVC(o) {
			o["apiVersion"] = desired
			out = append(out, o)
			continue
		}
		c, err := convertLLMISVC(o, desired)
		if err != nil {
			return nil, fmt.Errorf("%s %v: %w", o["kind"], mapOf(o["metadata"])["name"], err)
		}
		out = append(out, c)
	}
	return out, nil
}
