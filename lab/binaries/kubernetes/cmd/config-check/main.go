// config-check validates a KubeletConfiguration or a KubeProxyConfiguration file with the code
// the pinned kubelet and kube-proxy run when they start: decoded strictly (an unknown or
// misspelt field is an error, where the programs would only warn), defaulted, then validated by
// upstream's own rules. It lets zerospof's tests check render's configs without starting either
// program (both would take over the machine's cgroups or iptables). Test tooling: zerospof
// itself never runs it.
//
// Usage: config-check kubelet|kube-proxy FILE. Exit 0 when valid, 1 with the reasons on stderr.
// config-check --version prints the Kubernetes release whose rules it runs.
package main

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/version"
	kubeletconfig "k8s.io/kubernetes/pkg/kubelet/apis/config"
	kubeletscheme "k8s.io/kubernetes/pkg/kubelet/apis/config/scheme"
	kubeletvalidation "k8s.io/kubernetes/pkg/kubelet/apis/config/validation"
	proxyconfig "k8s.io/kubernetes/pkg/proxy/apis/config"
	proxyscheme "k8s.io/kubernetes/pkg/proxy/apis/config/scheme"
	proxyvalidation "k8s.io/kubernetes/pkg/proxy/apis/config/validation"
)

func checkKubelet(data []byte) error {
	_, codecs, err := kubeletscheme.NewSchemeAndCodecs(serializer.EnableStrict)
	if err != nil {
		return err
	}
	object, kind, err := codecs.UniversalDecoder().Decode(data, nil, nil)
	if err != nil {
		return err
	}
	config, ok := object.(*kubeletconfig.KubeletConfiguration)
	if !ok {
		return fmt.Errorf("not a KubeletConfiguration: %v", kind)
	}
	// The validation also asks the machine it runs on whether it uses cgroup v1 and refuses then
	// (failCgroupV1, true by default): a fact of the host the kubelet will run on, which apply's
	// preflight checks there, not of the file. Judged as on a cgroup v2 host.
	config.FailCgroupV1 = false
	return kubeletvalidation.ValidateKubeletConfiguration(config, utilfeature.DefaultFeatureGate)
}

func checkKubeProxy(data []byte) error {
	object, kind, err := proxyscheme.Codecs.UniversalDecoder().Decode(data, nil, nil)
	if err != nil {
		return err
	}
	config, ok := object.(*proxyconfig.KubeProxyConfiguration)
	if !ok {
		return fmt.Errorf("not a KubeProxyConfiguration: %v", kind)
	}
	return proxyvalidation.Validate(config).ToAggregate()
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Printf("config-check of Kubernetes %s\n", version.Get().GitVersion)
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: config-check kubelet|kube-proxy FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[2])
	if err == nil {
		switch os.Args[1] {
		case "kubelet":
			err = checkKubelet(data)
		case "kube-proxy":
			err = checkKubeProxy(data)
		default:
			fmt.Fprintln(os.Stderr, "config-check: the kind is kubelet or kube-proxy")
			os.Exit(2)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[2], err)
		os.Exit(1)
	}
}
