#include "model/storage.h"

namespace zerospof::model {

bool StorageClass::node_local() const {
  static const char* const kNodeLocal[] = {
      "kubernetes.io/no-provisioner", "rancher.io/local-path", "openebs.io/local", "topolvm.io",
      "local.csi.openebs.io",         "lvm.csi.metal-stack.io"};
  for (const char* local : kNodeLocal)
    if (provisioner == local) return true;
  return false;
}

}  // namespace zerospof::model
