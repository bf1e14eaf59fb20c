// The bundle's index: what each host runs, as render made it, written beside the files and read
// back; apply takes units, programs and credentials from it, never from the files' text.
#include <gtest/gtest.h>

#include <algorithm>

#include "render/layout.h"
#include "render/render_fixture.h"
#include "util/files.h"

namespace zerospof::render {
namespace {

std::vector<std::string> unit_names(const HostEntry& host) {
  std::vector<std::string> names;
  for (const auto& unit : host.units) names.push_back(unit.unit);
  return names;
}

TEST(BundleIndexTest, EachHostHasTheUnitsRenderMadeWithTheirProgramsAndFlags) {
  const Bundle& bundle = testing::rendered().bundle;
  const HostEntry* control = bundle.index.find("micklethefickle");
  ASSERT_NE(control, nullptr);
  EXPECT_EQ(unit_names(*control),
            (std::vector<std::string>{
                "zerospof-containerd.service", "zerospof-etcd.service",
                "zerospof-kube-apiserver.service", "zerospof-kube-controller-manager.service",
                "zerospof-kube-proxy.service", "zerospof-kube-scheduler.service",
                "zerospof-kubelet.service", "zerospof-node-kernel.service",
                "zerospof-vip-fitness.service", "haproxy.service", "keepalived.service"}));
  EXPECT_EQ(control->programs(), (std::vector<std::string>{"containerd", "etcd", "kube-apiserver",
                                                           "kube-controller-manager", "kube-proxy",
                                                           "kube-scheduler", "kubelet"}));
  auto apiserver =
      std::find_if(control->units.begin(), control->units.end(),
                   [](const UnitEntry& unit) { return unit.program == "kube-apiserver"; });
  ASSERT_NE(apiserver, control->units.end());
  EXPECT_EQ(apiserver->flags.at("etcd-certfile"), "/etc/zerospof/pki/apiserver-etcd-client.crt");
  // Every unit of the index is a file of the bundle on that host, and the reverse.
  for (const auto& host : bundle.index.hosts)
    for (const auto& unit : host.units) {
      bool package = unit.program.empty() && unit.unit.rfind("zerospof-", 0) != 0;
      if (package) continue;
      EXPECT_TRUE(std::any_of(bundle.files.begin(), bundle.files.end(),
                              [&](const File& file) {
                                return file.host == host.host &&
                                       file.path == layout::unit_path(unit.unit);
                              }))
          << host.host << " " << unit.unit;
    }
  const HostEntry* worker = bundle.index.find("blackboar");
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->programs(), (std::vector<std::string>{"containerd", "kube-proxy", "kubelet"}));
  EXPECT_EQ(bundle.index.find(""), nullptr);  // the operator's machine runs nothing
}

TEST(BundleIndexTest, WrittenBesideTheFilesAndReadBackTheSame) {
  const testing::Rendered& r = testing::rendered();
  auto text = util::read_file(r.directory + "/" + kIndexFile);
  ASSERT_TRUE(text.has_value());
  auto index = parse_index_json(*text, kIndexFile);
  ASSERT_TRUE(index.has_value()) << index.error().message;
  EXPECT_EQ(index_json(*index), *text);
  ASSERT_EQ(index->hosts.size(), r.bundle.index.hosts.size());
  EXPECT_EQ(index->hosts[0].units[0].flags, r.bundle.index.hosts[0].units[0].flags);
  // What apply orders a host's restarts by: the kubelet after containerd and the kernel settings.
  const HostEntry* worker = index->find("blackboar");
  ASSERT_NE(worker, nullptr);
  auto kubelet = std::find_if(worker->units.begin(), worker->units.end(),
                              [](const UnitEntry& unit) { return unit.program == "kubelet"; });
  ASSERT_NE(kubelet, worker->units.end());
  EXPECT_EQ(kubelet->after, (std::vector<std::string>{std::string(layout::kContainerdUnit),
                                                      std::string(layout::kNodeKernelUnit)}));
}

TEST(BundleIndexTest, AnIndexOfAnotherSchemaOrShapeIsRefusedWithWhatToDo) {
  for (const char* text : {"", "[]", R"({"schema": 1, "hosts": []})",
                           R"({"schema": 2, "hosts": [{"host": "a", "units": [{"unit": 3}]}]})",
                           R"({"schema": 2, "hosts": [{"host": "a", "units": [{"unit": "b", )"
                           R"("program": "", "flags": {}}]}]})"}) {
    auto index = parse_index_json(text, "/r/index.json");
    ASSERT_FALSE(index.has_value()) << text;
    EXPECT_EQ(index.error().message.rfind("/r/index.json: ", 0), 0u) << index.error().message;
    EXPECT_NE(index.error().hint.find("render the plan again"), std::string::npos);
  }
}

}  // namespace
}  // namespace zerospof::render
