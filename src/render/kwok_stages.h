// kwok's lifecycle Stages for nodes and pods (see kwok_stages.cpp for their origin): the
// content of the lab's /etc/zerospof/kwok.yaml.
#pragma once

namespace zerospof::render {

const char* kwok_stages();

}  // namespace zerospof::render
