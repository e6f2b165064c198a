package standins

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

var (
	certificates   = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "certificates"}
	issuers        = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "issuers"}
	clusterIssuers = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "clusterissuers"}
	validatingWHs  = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingwebhookconfigurations"}
	mutatingWHs    = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "mutatingwebhookconfigurations"}
	crds           = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// list lists a resource in all namespaces; a resource the server does not serve yet (its CRD not applied) is empty.
// Objects of the cached resources (CRDs, webhook configurations) are the cache's own: callers only read them.
func (h *harness) list(ctx context.Context, gvr schema.GroupVersionResource) []unstructured.Unstructured {
	if lister, ok := h.cached[gvr]; ok {
		objs, err := lister.List(labels.Everything())
		if err != nil {
			return nil
		}
		out := make([]unstructured.Unstructured, 0, len(objs))
		for _, o := range objs {
			out = append(out, *o.(*unstructured.Unstructured)) // shared with the cache: read, never written
		}
		return out
	}
	l, err := h.dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	return l.Items
}

func readyCondition(reason, message string, generation int64) map[string]interface{} {
	return map[string]interface{}{"type": "Ready", "status": "True", "reason": reason, "message": message,
		"lastTransitionTime": metav1.Now().UTC().Format("2006-01-02T15:04:05Z"), "observedGeneration": generation}
}

// certManager issues every Certificate that is not Ready yet from the harness CA, and marks issuers Ready.
func (h *harness) certManager(ctx context.Context) {
	for _, gvr := range []schema.GroupVersionResource{issuers, clusterIssuers} {
		for _, is := range h.list(ctx, gvr) {
			if conditionTrue(is.Object, "Ready") {
				continue
			}
			is.Object["status"] = map[string]interface{}{"conditions": []interface{}{readyCondition("KcpStandIn", "ready (kcp stand-in for cert-manager)", is.GetGeneration())}}
			if _, err := h.dyn.Resource(gvr).Namespace(is.GetNamespace()).UpdateStatus(ctx, &is, metav1.UpdateOptions{}); err == nil {
				logf("cert-manager", "%s %s Ready", is.GetKind(), key(&is))
			}
		}
	}
	for _, c := range h.list(ctx, certificates) {
		if conditionTrue(c.Object, "Ready") {
			continue
		}
		secretName, _, _ := unstructured.NestedString(c.Object, "spec", "secretName")
		dnsNames, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "dnsNames")
		ips, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "ipAddresses")
		cn, _, _ := unstructured.NestedString(c.Object, "spec", "commonName")
		if secretName == "" {
			continue
		}
		hosts := append(append([]string{}, dnsNames...), ips...)
		if len(hosts) == 0 && cn != "" {
			hosts = []string{cn}
		}
		if cn == "" && len(hosts) > 0 {
			cn = hosts[0]
		}
		crt, k, err := h.ca.Issue(cn, nil, hosts)
		if err != nil {
			logf("cert-manager", "Certificate %s: %v", key(&c), err)
			continue
		}
		if err := h.putSecret(ctx, c.GetNamespace(), secretName, corev1.SecretTypeTLS, map[string][]byte{"tls.crt": crt, "tls.key": k, "ca.crt": h.ca.CertPEM}); err != nil {
			logf("cert-manager", "Certificate %s: Secret %s: %v", key(&c), secretName, err)
			continue
		}
		c.Object["status"] = map[string]interface{}{"conditions": []interface{}{readyCondition("Ready", "Certificate is up to date and has not expired (kcp stand-in)", c.GetGeneration())}}
		if _, err := h.dyn.Resource(certificates).Namespace(c.GetNamespace()).UpdateStatus(ctx, &c, metav1.UpdateOptions{}); err == nil {
			logf("cert-manager", "Certificate %s issued into Secret %s for %s", key(&c), secretName, strings.Join(hosts, ","))
		}
	}
}

func (h *harness) putSecret(ctx context.Context, ns, name string, typ corev1.SecretType, data map[string][]byte) error {
	secrets := h.core.CoreV1().Secrets(ns)
	cur, err := secrets.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Type: typ, Data: data}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	cur.Data = data
	_, err = secrets.Update(ctx, cur, metav1.UpdateOptions{})
	return err
}

// caFrom returns the CA bundle an object's cert-manager.io/inject-ca-from(-secret) annotation names, or nil.
func (h *harness) caFrom(ctx context.Context, obj *unstructured.Unstructured) []byte {
	ann := obj.GetAnnotations()
	secretRef := ann["cert-manager.io/inject-ca-from-secret"]
	if ref := ann["cert-manager.io/inject-ca-from"]; ref != "" {
		ns, name, ok := strings.Cut(ref, "/")
		if !ok {
			return nil
		}
		c, err := h.dyn.Resource(certificates).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil
		}
		secretName, _, _ := unstructured.NestedString(c.Object, "spec", "secretName")
		secretRef = ns + "/" + secretName
	}
	ns, name, ok := strings.Cut(secretRef, "/")
	if !ok {
		return nil
	}
	s, err := h.core.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && ann["cert-manager.io/inject-ca-from-secret"] != "" {
		// cert-manager's webhook makes this Secret itself (its dynamic serving CA); play that part too.
		if _, nsErr := h.core.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); nsErr == nil {
			if err := h.putSecret(ctx, ns, name, corev1.SecretTypeOpaque, map[string][]byte{"ca.crt": h.ca.CertPEM}); err != nil {
				logf("cert-manager", "webhook CA Secret %s/%s: %v", ns, name, err)
			} else {
				logf("cert-manager", "webhook CA Secret %s/%s written", ns, name)
			}
		}
		return nil
	}
	if err != nil {
		return nil
	}
	return s.Data["ca.crt"]
}

// caInjector writes caBundle into webhook configurations and CRD conversion webhooks that ask for it.
func (h *harness) caInjector(ctx context.Context) {
	for _, gvr := range []schema.GroupVersionResource{validatingWHs, mutatingWHs} {
		for _, wh := range h.list(ctx, gvr) {
			bundle := h.caFrom(ctx, &wh)
			if bundle == nil {
				continue
			}
			hooks, _, _ := unstructured.NestedSlice(wh.Object, "webhooks")
			var patch []byte
			for i, hook := range hooks {
				cur, _, _ := unstructured.NestedString(hook.(map[string]interface{}), "clientConfig", "caBundle")
				if got, _ := base64.StdEncoding.DecodeString(cur); !bytes.Equal(got, bundle) {
					patch = append(patch, []byte(`,{"op":"add","path":"/webhooks/`+itoa(i)+`/clientConfig/caBundle","value":"`+base64.StdEncoding.EncodeToString(bundle)+`"}`)...)
				}
			}
			if patch != nil {
				if _, err := h.dyn.Resource(gvr).Patch(ctx, wh.GetName(), types.JSONPatchType, append(append([]byte("["), patch[1:]...), ']'), metav1.PatchOptions{}); err == nil {
					logf("cainjector", "caBundle injected into %s %s", wh.GetKind(), wh.GetName())
				} else {
					logf("cainjector", "%s %s: %v", wh.GetKind(), wh.GetName(), err)
				}
			}
		}
	}
	for _, crd := range h.list(ctx, crds) {
		strategy, _, _ := unstructured.NestedString(crd.Object, "spec", "conversion", "strategy")
		if strategy != "Webhook" {
			continue
		}
		bundle := h.caFrom(ctx, &crd)
		if bundle == nil {
			continue
		}
		cur, _, _ := unstructured.NestedString(crd.Object, "spec", "conversion", "webhook", "clientConfig", "caBundle")
		if got, _ := base64.StdEncoding.DecodeString(cur); bytes.Equal(got, bundle) {
			continue
		}
		patch := `[{"op":"add","path":"/spec/conversion/webhook/clientConfig/caBundle","value":"` + base64.StdEncoding.EncodeToString(bundle) + `"}]`
		if _, err := h.dyn.Resource(crds).Patch(ctx, crd.GetName(), types.JSONPatchType, []byte(patch), metav1.PatchOptions{}); err == nil {
			logf("cainjector", "caBundle injected into CRD %s's conversion webhook", crd.GetName())
		}
	}
}

func key(o *unstructured.Unstructured) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

func itoa(i int) string { return strconv.Itoa(i) }

func conditionTrue(obj map[string]interface{}, t string) bool {
	conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]interface{})
		if m["type"] == t && m["status"] == "True" {
			return true
		}
	}
	return false
}
