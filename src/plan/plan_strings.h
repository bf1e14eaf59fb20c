// Every free-form string of a plan, and the one check that makes it inert where it ends up.
//
// Guarantees: a string that passes check_place(value, place) contains only the characters of
// `place`'s alphabet (no newline, quote, '$', '%', ';', '\\', space or NUL for any place that is
// rendered), is within the place's length, and so is taken literally wherever render and apply
// put it: a DNS label, a systemd unit value, a YAML scalar (quoted or plain), a shell word, an
// X.509 common name of at most 64 bytes, a bundle directory name, an ssh argument. The checks
// are linear in the length of the value (no std::regex, which recurses per character), so a
// 10 MB scalar is refused, not a stack overflow.
//
// plan_strings() lists every string field of a Cluster with its field path and place, so that
// validate() checks all of them in one pass and a new string field cannot be forgotten without
// this list changing. Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/cluster.h"

namespace zerospof::plan {

enum class Place {
  kClusterName,    // DNS subdomain; "zerospof-<name>-front-proxy-ca" is a 64-byte CN at most
  kNodeName,       // DNS subdomain; "system:node:<name>" is a 64-byte CN at most; a bundle dir
  kHost,           // DNS subdomain or IP address: an ssh destination
  kLabelValue,     // a Kubernetes label value (zone): kubelet --node-labels, Node manifests
  kUserName,       // a POSIX user name: ssh -l
  kFilePath,       // a path on the operator's machine: ssh -i
  kInterfaceName,  // a Linux network interface name: keepalived's interface, ip ... dev
};

// Why `value` cannot be used at `place` ("contains a newline", "is longer than 52 characters"),
// with what to write instead; nullopt when it can.
struct PlaceProblem {
  std::string message;
  std::string hint;
};
std::optional<PlaceProblem> check_place(std::string_view value, Place place);

// The longest node and cluster names whose certificate common names fit X.509's 64 bytes.
inline constexpr size_t kMaximumNodeName = 52;
inline constexpr size_t kMaximumClusterName = 40;

// The directory of the operator machine's files in a written bundle: no node may be named so.
inline constexpr std::string_view kOperatorDirectory = "operator";

struct PlanString {
  std::string path;  // field path, as in Cluster::locations ("spec.nodes[2].zone")
  std::string value;
  Place place;
};

// Every string the user wrote or that took a default, in file order.
std::vector<PlanString> plan_strings(const model::Cluster& cluster);

}  // namespace zerospof::plan
