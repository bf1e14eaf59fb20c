// Network partitions between lab hosts: "A,B/C,D,E" names groups; traffic between hosts of
// different groups is dropped in both directions, by an nftables table in each host's network
// namespace (installed from outside, so it needs nothing from the host and survives its
// services restarting); traffic within a group, to hosts in no group and to this machine is
// untouched. Dropped, not rejected: a partitioned peer times out, as across a real cut link.
// `heal` removes the table everywhere. Parsing and rule text are pure; applying runs `nft`.
#pragma once

#include <string>
#include <vector>

#include "lab/lab_state.h"
#include "util/error.h"

namespace zerospof::lab {

using Groups = std::vector<std::vector<std::string>>;

// At least two non-empty groups of known, distinct hosts.
util::Result<Groups> parse_partition(const std::string& spec, const LabState& state);

// The nftables script for `host`: drops to and from every host outside its group. Empty when
// the host is in no group.
std::string partition_rules(const LabState& state, const Groups& groups, const std::string& host);

util::Status apply_partition(const LabState& state, const Groups& groups);
util::Status heal_partition(const LabState& state);

}  // namespace zerospof::lab
