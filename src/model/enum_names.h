// How each enum of the plan is spelled, in plans, reports and JSON: one table per enum, read
// both ways (to_string() in cluster.cpp and the plan loader's choices come from the same table),
// so a spelling cannot differ between what the loader accepts and what reports print.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "model/cluster.h"

namespace zerospof::model {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

inline constexpr EnumNames<Role, 4> kRoleNames{{{Role::kControlPlane, "control-plane"},
                                                {Role::kEtcd, "etcd"},
                                                {Role::kWorker, "worker"},
                                                {Role::kStorage, "storage"}}};
inline constexpr EnumNames<EndpointMode, 2> kEndpointModeNames{
    {{EndpointMode::kVip, "vip"}, {EndpointMode::kLocalProxy, "local-proxy"}}};
inline constexpr EnumNames<Cni, 2> kCniNames{{{Cni::kCalico, "calico"}, {Cni::kCilium, "cilium"}}};
inline constexpr EnumNames<BgpPeering, 2> kBgpPeeringNames{
    {{BgpPeering::kFullMesh, "full-mesh"}, {BgpPeering::kRouteReflectors, "route-reflectors"}}};
inline constexpr EnumNames<StorageProvider, 3> kStorageProviderNames{
    {{StorageProvider::kLonghorn, "longhorn"},
     {StorageProvider::kRookCeph, "rook-ceph"},
     {StorageProvider::kNone, "none"}}};
inline constexpr EnumNames<ServiceMesh, 3> kServiceMeshNames{{{ServiceMesh::kNone, "none"},
                                                              {ServiceMesh::kLinkerd, "linkerd"},
                                                              {ServiceMesh::kIstio, "istio"}}};
inline constexpr EnumNames<TuningProfile, 2> kTuningProfileNames{
    {{TuningProfile::kFast, "fast"}, {TuningProfile::kKubeadmGuide, "kubeadm-guide"}}};

// The spelling of `value` ("?" for a value the table lacks, which a test rules out).
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const EnumNames<Enum, N>& table, Enum value) {
  for (const auto& [each, name] : table)
    if (each == value) return name;
  return "?";
}

template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_in(const EnumNames<Enum, N>& table, std::string_view text) {
  for (const auto& [each, name] : table)
    if (name == text) return each;
  return std::nullopt;
}

// Every spelling, in the table's order (the loader's choices and its did-you-mean candidates).
template <typename Enum, std::size_t N>
constexpr std::array<std::string_view, N> names_in(const EnumNames<Enum, N>& table) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = table[i].second;
  return names;
}

}  // namespace zerospof::model
