# SPDX-License-Identifier: GPL-2.0
#
# cmake -DFIO=... -DPROBE=... -DFIO_SRC=... -DSTAMP=... -P check-ioops.cmake
#
# Fails the build unless the fio binary that is installed (FIO) loads
# engines of the ioengine_ops version that fio's headers in FIO_SRC give
# (FIO_IOOPS_VERSION), which the zcrx engine is compiled with. The
# installed fio says what it wants when it refuses the probe engine
# (PROBE, version -1). Its version string must also be the source's.

file(STRINGS "${FIO_SRC}/ioengines.h" _def REGEX "^#define[ \t]+FIO_IOOPS_VERSION[ \t]")
string(REGEX MATCH "FIO_IOOPS_VERSION[ \t]+([0-9]+)" _m "${_def}")
if(NOT _m)
	message(FATAL_ERROR "fio engine: no FIO_IOOPS_VERSION in ${FIO_SRC}/ioengines.h")
endif()
set(_hdr ${CMAKE_MATCH_1})

execute_process(COMMAND "${FIO}" "--enghelp=${PROBE}"
	OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
string(REGEX MATCH "bad ioops version -1 \\(want ([0-9]+)\\)" _m "${_out}${_err}")
if(NOT _m)
	message(FATAL_ERROR "fio engine: could not learn the ioengine_ops version of ${FIO}: "
		"'${FIO} --enghelp=${PROBE}' said (exit ${_rc}):\n${_out}${_err}")
endif()
set(_bin ${CMAKE_MATCH_1})

execute_process(COMMAND "${FIO}" --version OUTPUT_VARIABLE _binver
	OUTPUT_STRIP_TRAILING_WHITESPACE)
file(STRINGS "${FIO_SRC}/FIO-VERSION-GEN" _srcver REGEX "^DEF_VER=")
string(REPLACE "DEF_VER=" "" _srcver "${_srcver}")

if(NOT _bin STREQUAL _hdr)
	message(FATAL_ERROR "fio engine: ioengine_ops version mismatch: the installed "
		"${FIO} (${_binver}) loads engines of version ${_bin}, but the fio headers in "
		"${FIO_SRC} (${_srcver}) give FIO_IOOPS_VERSION ${_hdr}; the engine would "
		"be refused or crash. Fetch the installed fio's source again: remove "
		"${FIO_SRC} and run bench/fio/fio-source.sh (or reconfigure).")
endif()
if(NOT _binver STREQUAL _srcver)
	message(FATAL_ERROR "fio engine: the installed ${FIO} is ${_binver}, the headers "
		"in ${FIO_SRC} are of ${_srcver} (ioengine_ops version ${_hdr} both): "
		"structure layouts may differ. Remove ${FIO_SRC} and run "
		"bench/fio/fio-source.sh (or reconfigure).")
endif()
file(WRITE "${STAMP}" "${_binver} ioengine_ops version ${_bin}\n")
message(STATUS "fio engine: ${FIO} (${_binver}) loads ioengine_ops version ${_bin}, as the headers give")
