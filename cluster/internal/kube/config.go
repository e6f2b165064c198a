// Package kube holds what the harness's own programs share to reach kube-apiserver.
package kube

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Config reads a kubeconfig for a program that makes many small requests: client-go's default rate limit (5 per
// second) would make the simulator and the stand-ins the slowest part of a test run.
func Config(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 200, 400
	return cfg, nil
}
