#include "streamverse/version.h"

#define STR_(x) #x
#define STR(x) STR_(x)

SV_API const char *sv_version(void)
{
    return STR(SV_VERSION_MAJOR) "." STR(SV_VERSION_MINOR) "." STR(SV_VERSION_PATCH);
}

SV_API unsigned sv_version_number(void)
{
    return SV_VERSION_NUMBER;
}

SV_API unsigned sv_version_api(void)
{
    return SV_API_VERSION;
}
