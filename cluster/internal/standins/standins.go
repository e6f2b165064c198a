// Package standins plays, for tests, the controllers and webhook servers that this control plane does not run,
// because their images cannot run here. Each is named a stand-in in its log lines and in the README:
//   - cert-manager (stand-in): issues each Certificate from the harness CA into its Secret and marks it Ready;
//     marks Issuers and ClusterIssuers Ready.
//   - cainjector (stand-in): writes the caBundle of webhook configurations and CRDs annotated
//     cert-manager.io/inject-ca-from(-secret), from the Secret's ca.crt, as cert-manager's cainjector does.
//   - webhook servers (stand-in): for every Service a webhook or CRD conversion points at, answers the real
//     AdmissionReview / ConversionReview protocol over TLS on the Service's ClusterIP and port (the harness's
//     Service range is loopback), but only while the Service has a ready endpoint, as kube-proxy would route: until
//     then kube-apiserver's call fails and it refuses what the webhook gates.
//   - status writer (stand-in): the conditions of KServe's, agentgateway's and Gateway API's controllers
//     (InferenceService Ready, Gateway Programmed, HTTPRoute and policy Accepted).
//   - llmisvc controller (stand-in): for each LLMInferenceService, the HTTPRoute and InferencePool KServe's llmisvc
//     controller makes from it and its LLMInferenceServiceConfigs, owned by it, and its Ready condition (llmisvc.go);
//     the webhook servers convert it between v1alpha1 and v1alpha2 as KServe does (conversion.go).
//
// Everything else (admission, validation, CEL, defaulting, the built-in controllers) is the real kube-apiserver and
// kube-controller-manager.
package standins

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"kserve-agentgateway-stack/cluster/internal/kube"
	"kserve-agentgateway-stack/cluster/internal/pki"
)

// Main runs the stand-ins until SIGTERM: `standins --kubeconfig FILE --pki DIR`.
func Main(args []string) int {
	fs := flag.NewFlagSet("standins", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "the kubeconfig to reach kube-apiserver (required)")
	pkiDir := fs.String("pki", "", "the directory with the harness CA (ca.crt, ca.key) (required)")
	interval := fs.Duration("interval", 500*time.Millisecond, "how often the stand-ins look at the cluster")
	suffixes := fs.String("llmisvc-suffixes", "", `the kmeta.ChildName suffixes of what KServe's llmisvc controller makes, as JSON ({"route":..,"inferencePool":..,"workloadService":..}); without it that stand-in is off`)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := kube.Config(*kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "standins: %v\n", err)
		return 2
	}
	ca, err := pki.LoadCA(*pkiDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "standins: %v\n", err)
		return 2
	}
	var names *llmisvcSuffixes
	if *suffixes != "" {
		names = &llmisvcSuffixes{}
		if err := json.Unmarshal([]byte(*suffixes), names); err != nil || names.Route == "" || names.InferencePool == "" || names.WorkloadService == "" {
			fmt.Fprintf(os.Stderr, "standins: --llmisvc-suffixes wants route, inferencePool and workloadService, got %q (%v)\n", *suffixes, err)
			return 2
		}
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	h := &harness{dyn: dynamic.NewForConfigOrDie(cfg), core: kubernetes.NewForConfigOrDie(cfg), ca: ca, servers: map[string]*server{}, written: map[string]bool{},
		suffixes: names, logged: map[string]bool{}}
	// CRDs are large (KServe's are megabytes): read them from a watch cache, never by listing them on every tick.
	factory := dynamicinformer.NewDynamicSharedInformerFactory(h.dyn, 0)
	h.cached = map[schema.GroupVersionResource]cache.GenericLister{}
	for _, gvr := range []schema.GroupVersionResource{crds, validatingWHs, mutatingWHs} {
		h.cached[gvr] = factory.ForResource(gvr).Lister()
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	fmt.Fprintf(os.Stderr, "standins: cert-manager, cainjector, webhook servers, status writer and llmisvc controller (stand-ins) started; llmisvc suffixes %s\n", *suffixes)
	// Each stand-in runs a loop of its own, as the real controllers are processes of their own: a slow step of one
	// (cainjector patching a CRD of megabytes takes seconds) does not hold up another (a webhook starting to serve).
	var wg sync.WaitGroup
	for _, step := range []func(context.Context){h.certManager, h.caInjector, h.webhookServers, h.llmisvcController, h.statusWriter} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(*interval)
			defer tick.Stop()
			for {
				step(ctx)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
	wg.Wait()
	h.stopServers()
	return 0
}

type harness struct {
	dyn     dynamic.Interface
	core    kubernetes.Interface
	ca      *pki.CA
	servers map[string]*server
	cached  map[schema.GroupVersionResource]cache.GenericLister
	written map[string]bool
	// suffixes of the objects the llmisvc controller stand-in names; nil: that stand-in is off.
	suffixes *llmisvcSuffixes
	logged   map[string]bool
}

// once logs a line the first time for this key (a state that would otherwise be logged on every tick).
func (h *harness) once(who, key, format string, args ...interface{}) {
	if !h.logged[who+"/"+key] {
		h.logged[who+"/"+key] = true
		logf(who, format, args...)
	}
}

func logf(who, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "%s %s (stand-in): %s\n", time.Now().Format("15:04:05.000"), who, fmt.Sprintf(format, args...))
}
