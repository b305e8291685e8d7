#pragma once
// Base64 (RFC 4648, with padding) for binary data in text files: GIFTI data arrays, images embedded in HTML.

#include <string>
#include <string_view>

namespace visalign::surface {

std::string encode_base64(std::string_view bytes);

}  // namespace visalign::surface
