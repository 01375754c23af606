// placeholder: replaced by the config loader
#include "config/config.hpp"
