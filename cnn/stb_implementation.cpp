// The one translation unit that compiles stb_image and stb_image_write (Debian libstb-dev headers,
// header-only use: no libstb.so is linked).
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#include <stb_image.h>
#include <stb_image_write.h>
