package standins

import (
	"context"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// How the controller stand-ins write the objects they own, as controller-runtime controllers do.

// removeOwned deletes what this service no longer asks for (KServe's Delete): only an object it controls.
func (h *harness) removeOwned(ctx context.Context, gvr schema.GroupVersionResource, svc *unstructured.Unstructured, name string) error {
	client := h.dyn.Resource(gvr).Namespace(svc.GetNamespace())
	cur, err := client.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && !ownedBy(cur, svc)) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := client.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	logf("llmisvc controller", "%s %s deleted: %s no longer asks for it", cur.GetKind(), key(cur), key(svc))
	return nil
}

func ownedBy(o, owner *unstructured.Unstructured) bool {
	for _, ref := range o.GetOwnerReferences() {
		if ref.UID == owner.GetUID() && ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

// ensure creates the object, or updates it when what it sets differs from what is stored (KServe compares
// semantically: fields the API server defaults do not count).
func (h *harness) ensure(ctx context.Context, gvr schema.GroupVersionResource, want map[string]interface{}) error {
	obj := &unstructured.Unstructured{Object: want}
	client := h.dyn.Resource(gvr).Namespace(obj.GetNamespace())
	cur, err := client.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := client.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return err
		}
		logf("llmisvc controller", "%s %s created", obj.GetKind(), key(obj))
		return nil
	}
	if err != nil {
		return err
	}
	if derivative(want["spec"], cur.Object["spec"]) && derivative(want["metadata"], cur.Object["metadata"]) {
		return nil
	}
	cur.Object["spec"] = want["spec"]
	cur.SetLabels(obj.GetLabels())
	cur.SetAnnotations(obj.GetAnnotations())
	cur.SetOwnerReferences(obj.GetOwnerReferences())
	if _, err := client.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		return err
	}
	logf("llmisvc controller", "%s %s updated", obj.GetKind(), key(obj))
	return nil
}

// derivative is equality.Semantic.DeepDerivative: everything want sets, have has the same (have may add defaults).
func derivative(want, have interface{}) bool {
	switch w := want.(type) {
	case map[string]interface{}:
		h, ok := have.(map[string]interface{})
		if !ok {
			return len(w) == 0 && have == nil
		}
		for k, v := range w {
			if !derivative(v, h[k]) {
				return false
			}
		}
		return true
	case []interface{}:
		h, ok := have.([]interface{})
		if !ok || len(h) != len(w) {
			return len(w) == 0 && have == nil
		}
		for i := range w {
			if !derivative(w[i], h[i]) {
				return false
			}
		}
		return true
	case nil:
		return true
	default:
		// Numbers from JSON and from the API server differ in Go type (float64, int64): compare as text.
		return reflect.DeepEqual(want, have) || (have != nil && fmt.Sprint(want) == fmt.Sprint(have))
	}
}
