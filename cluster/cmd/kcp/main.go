// kcp is the local control plane of the project's tests, one binary so that Kubernetes' packages compile and link
// once: `kcp etcd|kube-apiserver|kube-controller-manager|kube-scheduler|simulator|standins ARGS...`. The first four
// are the real programs, built from their own Go modules at the release go.mod pins; the last two are ours (see
// their packages): a node and pod simulator, and the stand-ins for controllers this harness does not run.
package main

import (
	"fmt"
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	"kserve-agentgateway-stack/cluster/internal/etcd"
	"kserve-agentgateway-stack/cluster/internal/pki"
	"kserve-agentgateway-stack/cluster/internal/simulator"
	"kserve-agentgateway-stack/cluster/internal/standins"
)

const usage = "usage: kcp certs|etcd|kube-apiserver|kube-controller-manager|kube-scheduler|simulator|standins [ARGS...]\n"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	// The upstream commands parse os.Args[1:] through cobra; they see only their own arguments.
	os.Args = append([]string{name}, args...)
	switch name {
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "certs":
		if len(args) != 1 {
			fmt.Fprint(os.Stderr, "usage: kcp certs DIR\n")
			os.Exit(2)
		}
		if err := pki.WriteAll(args[0]); err != nil {
			fmt.Fprintf(os.Stderr, "kcp certs: %v\n", err)
			os.Exit(1)
		}
	case "etcd":
		os.Exit(etcd.Main(args))
	case "simulator":
		os.Exit(simulator.Main(args))
	case "standins":
		os.Exit(standins.Main(args))
	default:
		fmt.Fprintf(os.Stderr, "kcp: unknown command %q\n%s", name, usage)
		os.Exit(2)
	}
}
