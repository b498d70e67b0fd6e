# SPDX-License-Identifier: MIT
#
# FindCMocka: the cmocka unit-test library, through pkg-config when there is
# one, else through its own CMake package, else by searching directly.
#
# Result: CMocka_FOUND and the imported target CMocka::CMocka.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
	pkg_check_modules(PC_CMOCKA QUIET cmocka)
endif()

find_path(CMocka_INCLUDE_DIR cmocka.h
	HINTS ${PC_CMOCKA_INCLUDE_DIRS}
	PATHS /opt/homebrew/include /usr/local/include)
find_library(CMocka_LIBRARY NAMES cmocka
	HINTS ${PC_CMOCKA_LIBRARY_DIRS}
	PATHS /opt/homebrew/lib /usr/local/lib)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CMocka
	REQUIRED_VARS CMocka_LIBRARY CMocka_INCLUDE_DIR)
mark_as_advanced(CMocka_INCLUDE_DIR CMocka_LIBRARY)

if(CMocka_FOUND AND NOT TARGET CMocka::CMocka)
	add_library(CMocka::CMocka UNKNOWN IMPORTED)
	set_target_properties(CMocka::CMocka PROPERTIES
		IMPORTED_LOCATION "${CMocka_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${CMocka_INCLUDE_DIR}")
endif()
