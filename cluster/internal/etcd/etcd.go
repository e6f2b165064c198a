// Package etcd runs etcd's own server (go.etcd.io/etcd/server/v3/embed) on loopback, as kube-apiserver's store.
package etcd

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

// Main runs etcd until SIGTERM or SIGINT: `etcd --data-dir DIR --client-url http://127.0.0.1:PORT --peer-url http://127.0.0.1:PORT`.
func Main(args []string) int {
	fs := flag.NewFlagSet("etcd", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "where etcd keeps its data (required)")
	clientURL := fs.String("client-url", "http://127.0.0.1:2379", "the URL clients (kube-apiserver) use")
	peerURL := fs.String("peer-url", "http://127.0.0.1:2380", "the peer URL (a one-member cluster, loopback)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "etcd: --data-dir is required")
		return 2
	}
	cfg := embed.NewConfig()
	cfg.Dir = *dataDir
	cfg.Name = "kcp"
	cfg.LogLevel = "error"
	client, err1 := url.Parse(*clientURL)
	peer, err2 := url.Parse(*peerURL)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "etcd: --client-url and --peer-url must be URLs")
		return 2
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", cfg.Name, peer.String())
	// A test store: no fsync per write (the data is thrown away at `down`), a small quota, quick compaction.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	}
	defer e.Close()
	<-e.Server.ReadyNotify()
	fmt.Fprintf(os.Stderr, "etcd: ready on %s\n", client)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-stop:
		return 0
	case err := <-e.Err():
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		return 1
	}
}
