#include "observe/kubeconfig.h"

#include <fmt/format.h>

#include "plan/yaml.h"
#include "util/base64.h"
#include "util/files.h"

namespace zerospof::observe {

namespace {

const plan::YamlNode* first_item(const plan::YamlNode& root, std::string_view list,
                                 std::string_view inner) {
  const plan::YamlNode* items = root.find(list);
  if (!items || !items->is_sequence() || items->values.empty()) return nullptr;
  return items->values.front().find(inner);
}

}  // namespace

util::Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& source) {
  plan::SourceText lines(source, text);
  ZEROSPOF_ASSIGN_OR_RETURN(auto documents, plan::parse_yaml(text, lines));
  auto missing = [&](const std::string& field) {
    return util::fail(util::Error::invalid_input(
        fmt::format("{}: no {} (zerospof reads the kubeconfig apply wrote: admin.conf)", source,
                    field),
        {},
        "give the admin.conf of `zerospof apply` (its state directory, operator/etc/zerospof/"
        "kubeconfig/admin.conf) with --kubeconfig"));
  };
  if (documents.empty()) return missing("document");
  const plan::YamlNode& root = documents.front();
  const plan::YamlNode* cluster = first_item(root, "clusters", "cluster");
  const plan::YamlNode* user = first_item(root, "users", "user");
  if (!cluster) return missing("clusters[0].cluster");
  if (!user) return missing("users[0].user");
  Kubeconfig config;
  struct Field {
    const plan::YamlNode* parent;
    std::string_view key;
    std::string* target;
    bool base64;
  };
  for (const Field& field :
       {Field{cluster, "server", &config.server, false},
        Field{cluster, "certificate-authority-data", &config.credentials.ca_pem, true},
        Field{user, "client-certificate-data", &config.credentials.cert_pem, true},
        Field{user, "client-key-data", &config.credentials.key_pem, true}}) {
    const plan::YamlNode* node = field.parent->find(field.key);
    if (!node || !node->is_scalar() || node->scalar.empty()) return missing(std::string(field.key));
    if (!field.base64) {
      *field.target = node->scalar;
      continue;
    }
    auto decoded = util::decode_base64(node->scalar);
    if (!decoded)
      return util::fail(util::Error::invalid_input(fmt::format("{} is not base64", field.key),
                                                   node->where,
                                                   "write the kubeconfig again with `zerospof "
                                                   "apply`"));
    *field.target = std::move(*decoded);
  }
  if (!config.server.starts_with("https://"))
    return util::fail(util::Error::invalid_input(
        fmt::format("{}: the server {} is not https", source, config.server), {},
        "zerospof talks to the API over TLS only"));
  return config;
}

util::Result<Kubeconfig> load_kubeconfig(const std::string& path) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  return parse_kubeconfig(text, path);
}

}  // namespace zerospof::observe
