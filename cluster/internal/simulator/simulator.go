// Package simulator plays the kubelets of a cluster that runs no containers: it registers Ready nodes, keeps their
// leases fresh (so the real node lifecycle controller sees them alive), and reports every pod the real scheduler
// binds to them as Running and Ready with an IP, so the real controllers make Deployments Available, fill
// EndpointSlices and finalize Namespaces. A pod being deleted is removed at once, as a kubelet does once its
// containers have stopped. No container runs: this is the one stand-in for the node side, and it says so in its log.
package simulator

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"kserve-agentgateway-stack/cluster/internal/kube"
)

// Main runs the simulator until SIGTERM: `simulator --kubeconfig FILE [--nodes N] [--pod-cidr 10.244.0.0/16]`.
func Main(args []string) int {
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "the kubeconfig to reach kube-apiserver (required)")
	nodes := fs.Int("nodes", 2, "how many nodes to register")
	podCIDR := fs.String("pod-cidr", "10.244.0.0/16", "pod IPs are taken from this range (addresses only: no traffic is sent to them)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := kube.Config(*kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "simulator: %v\n", err)
		return 2
	}
	prefix, err := netip.ParsePrefix(*podCIDR)
	if err != nil {
		fmt.Fprintf(os.Stderr, "simulator: --pod-cidr: %v\n", err)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	s := &sim{client: kubernetes.NewForConfigOrDie(cfg), next: prefix.Addr().Next(), prefix: prefix, ips: map[types.UID]string{}}
	if err := s.run(ctx, *nodes); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "simulator: %v\n", err)
		return 1
	}
	return 0
}

type sim struct {
	client kubernetes.Interface
	mu     sync.Mutex
	prefix netip.Prefix
	next   netip.Addr
	ips    map[types.UID]string
	nodes  map[string]bool
}

func nodeName(i int) string { return fmt.Sprintf("kcp-node-%d", i) }

func (s *sim) run(ctx context.Context, n int) error {
	s.nodes = map[string]bool{}
	for i := 0; i < n; i++ {
		if err := s.register(ctx, nodeName(i)); err != nil {
			return err
		}
		s.nodes[nodeName(i)] = true
	}
	fmt.Fprintf(os.Stderr, "simulator (stand-in for kubelets: no container runs): %d Ready nodes registered\n", n)
	go s.heartbeat(ctx)
	factory := informers.NewSharedInformerFactory(s.client, 0)
	pods := factory.Core().V1().Pods().Informer()
	queue := make(chan *corev1.Pod, 1024)
	handle := func(obj interface{}) {
		if p, ok := obj.(*corev1.Pod); ok && s.nodes[p.Spec.NodeName] {
			queue <- p
		}
	}
	_, _ = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: handle, UpdateFunc: func(_, o interface{}) { handle(o) }})
	factory.Start(ctx.Done())
	for i := 0; i < 4; i++ {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case p := <-queue:
					if err := s.sync(ctx, p); err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
						fmt.Fprintf(os.Stderr, "simulator: pod %s/%s: %v\n", p.Namespace, p.Name, err)
					}
				}
			}
		}()
	}
	<-ctx.Done()
	return nil
}

func (s *sim) register(ctx context.Context, name string) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("64"), corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods: resource.MustParse("500"), corev1.ResourceEphemeralStorage: resource.MustParse("1Ti"),
		"nvidia.com/gpu": resource.MustParse("8"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "kcp-simulated"}},
	}
	if _, err := s.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	now := metav1.Now()
	status := corev1.NodeStatus{
		Capacity: capacity, Allocatable: capacity, Phase: corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "simulated kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", LastHeartbeatTime: now, LastTransitionTime: now},
		},
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: name}},
		NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.34.4-kcp-simulated", OperatingSystem: "linux", Architecture: "amd64", ContainerRuntimeVersion: "none://simulated"},
	}
	cur, err := s.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	cur.Status = status
	_, err = s.client.CoreV1().Nodes().UpdateStatus(ctx, cur, metav1.UpdateOptions{})
	return err
}

// heartbeat renews each node's Lease every 10 s, as a kubelet does, so the node lifecycle controller keeps them Ready.
func (s *sim) heartbeat(ctx context.Context) {
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		for name := range s.nodes {
			leases := s.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
			now := metav1.NewMicroTime(time.Now())
			l, err := leases.Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				_, _ = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(name), LeaseDurationSeconds: ptr.To[int32](40), RenewTime: &now}}, metav1.CreateOptions{})
			} else if err == nil {
				l.Spec.RenewTime = &now
				_, _ = leases.Update(ctx, l, metav1.UpdateOptions{})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *sim) ipFor(uid types.UID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ip, ok := s.ips[uid]; ok {
		return ip
	}
	ip := s.next.String()
	s.next = s.next.Next()
	if !s.prefix.Contains(s.next) {
		s.next = s.prefix.Addr().Next()
	}
	s.ips[uid] = ip
	return ip
}

// sync brings one pod to what a kubelet would report: deleted once it is being deleted; else Running and Ready.
func (s *sim) sync(ctx context.Context, p *corev1.Pod) error {
	if p.DeletionTimestamp != nil {
		err := s.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0), Preconditions: &metav1.Preconditions{UID: &p.UID}})
		s.mu.Lock()
		delete(s.ips, p.UID)
		s.mu.Unlock()
		return err
	}
	if p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "" && podReady(p) == readinessGatesMet(p) {
		return nil
	}
	now := metav1.Now()
	ip := s.ipFor(p.UID)
	old := p
	p = p.DeepCopy()
	ready := readinessGatesMet(p)
	readyStatus := corev1.ConditionFalse
	if ready {
		readyStatus = corev1.ConditionTrue
	}
	p.Status.Phase = corev1.PodRunning
	p.Status.HostIP, p.Status.HostIPs = "127.0.0.1", []corev1.HostIP{{IP: "127.0.0.1"}}
	p.Status.PodIP, p.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	if p.Status.StartTime == nil {
		p.Status.StartTime = &now
	}
	p.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: readyStatus, LastTransitionTime: now},
	}
	// Gates set by others keep their status (the pod's old conditions were replaced above, so carry them over).
	for _, g := range p.Spec.ReadinessGates {
		status := corev1.ConditionFalse
		if gateMet(old, g.ConditionType) {
			status = corev1.ConditionTrue
		}
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: g.ConditionType, Status: status, LastTransitionTime: now})
	}
	p.Status.InitContainerStatuses = nil
	for _, c := range p.Spec.InitContainers {
		p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "simulated://" + c.Image, ContainerID: "simulated://" + string(p.UID) + "/" + c.Name, Ready: true,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}}})
	}
	p.Status.ContainerStatuses = nil
	for _, c := range p.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "simulated://" + c.Image, ContainerID: "simulated://" + string(p.UID) + "/" + c.Name,
			Ready: true, Started: ptr.To(true), State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}})
	}
	_, err := s.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	return err
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// readinessGatesMet: a pod with readiness gates is Ready only once something else sets them True, as on a kubelet.
func readinessGatesMet(p *corev1.Pod) bool {
	for _, g := range p.Spec.ReadinessGates {
		if !gateMet(p, g.ConditionType) {
			return false
		}
	}
	return true
}

func gateMet(p *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
