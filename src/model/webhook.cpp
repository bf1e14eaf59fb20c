#include "model/webhook.h"

namespace zerospof::model {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

std::string AdmissionWebhook::display_name() const {
  return std::string(mutating ? "mutatingwebhook/" : "validatingwebhook/") + configuration + "/" +
         name;
}

std::string AdmissionWebhook::matched_writes() const {
  std::string out;
  for (const WebhookRule& rule : rules) {
    std::vector<std::string> resources;
    for (const std::string& resource : rule.resources)
      for (const std::string& group : rule.api_groups)
        resources.push_back(group.empty() ? resource : resource + "." + group);
    if (!out.empty()) out += "; ";
    out += joined(rule.operations) + " of " + joined(resources);
  }
  return out.empty() ? "no request" : out;
}

}  // namespace zerospof::model
