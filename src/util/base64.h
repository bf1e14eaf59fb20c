// Base64 (RFC 4648, standard alphabet, padded) for what travels inside JSON and YAML: a
// kubeconfig's embedded certificates, etcd's keys and values in its JSON API.
//
// Guarantees: encode() then decode() gives the bytes back, whatever they are; decode() refuses
// text that is not base64 (a wrong length or character) with an error that never quotes the
// text, which may be key material. Line breaks and spaces in the input are ignored.
#pragma once

#include <string>

#include "util/error.h"

namespace zerospof::util {

std::string encode_base64(const std::string& data);
Result<std::string> decode_base64(const std::string& text);

}  // namespace zerospof::util
