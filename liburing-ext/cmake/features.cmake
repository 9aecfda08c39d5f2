# SPDX-License-Identifier: MIT
#
# What the liburing in use has, piece by piece: each definition liburing-ext
# may provide is looked for on its own (a constant, a struct, a member, an
# enum, a function), never inferred from liburing's version, because each
# release from 2.10 on has a different part of the zcrx UAPI. The results
# go into the generated, installed <liburing-ext/config.h> as
# LIBURING_EXT_HAVE_* (1: liburing has it, liburing-ext keeps out of the
# way; 0: liburing-ext defines it), so a program built against the
# installed header sees what the library was built with.
#
# Needs PkgConfig::LIBURING. Sets URING_EXT_CONFIG_DEFINES (the #defines),
# URING_EXT_COMPAT_SYMBOLS (liburing functions liburing-ext must export)
# and URING_EXT_PROVIDES (what liburing-ext defines, for the log).

include(CheckCSourceCompiles)
include(CheckStructHasMember)
include(CheckSymbolExists)

set(CMAKE_REQUIRED_QUIET ON)
set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
set(CMAKE_REQUIRED_LIBRARIES PkgConfig::LIBURING)

# Results are cached; forget them when liburing is another one.
set(_sig "${LIBURING_VERSION}|${LIBURING_INCLUDE_DIRS}|${LIBURING_LINK_LIBRARIES}")
if(NOT "${_sig}" STREQUAL "${URING_EXT_LIBURING_SIGNATURE}")
	foreach(v IN LISTS URING_EXT_CHECK_VARS)
		unset(${v} CACHE)
	endforeach()
endif()
set(URING_EXT_LIBURING_SIGNATURE "${_sig}" CACHE INTERNAL "")

set(URING_EXT_CHECK_VARS)
set(URING_EXT_CONFIG_DEFINES)
set(URING_EXT_PROVIDES)

macro(_uring_ext_result var what)
	if(${var})
		set(_v 1)
	else()
		set(_v 0)
		if(NOT _uring_ext_not_provided)
			list(APPEND URING_EXT_PROVIDES "${what}")
		endif()
	endif()
	string(APPEND URING_EXT_CONFIG_DEFINES "#define ${var}\t${_v}\t/* ${what} */\n")
	list(APPEND URING_EXT_CHECK_VARS ${var})
endmacro()

macro(_uring_ext_var out prefix name)
	string(TOUPPER "${name}" _n)
	string(REGEX REPLACE "[^A-Z0-9]" "_" _n "${_n}")
	set(${out} LIBURING_EXT_HAVE_${prefix}${_n})
endmacro()

macro(_uring_ext_compiles var body)
	check_c_source_compiles("
#include <liburing.h>
int main(void)
{
	${body}
	return 0;
}" ${var})
endmacro()

# A constant: an enum member or a macro.
macro(uring_ext_have_const name)
	_uring_ext_var(_var "" ${name})
	_uring_ext_compiles(${_var} "(void)(${name});")
	_uring_ext_result(${_var} "${name}")
endmacro()

# A complete struct, union or enum type.
macro(uring_ext_have_type kind tag)
	string(TOUPPER "${kind}_" _k)
	_uring_ext_var(_var ${_k} ${tag})
	_uring_ext_compiles(${_var} "(void)sizeof(${kind} ${tag});")
	_uring_ext_result(${_var} "${kind} ${tag}")
endmacro()

# A member of a struct (checked after the struct). Where liburing has the
# struct without it, liburing's struct stays as it is: liburing-ext's
# helpers reach the member through a full-layout copy of their own.
macro(uring_ext_have_member tag member)
	_uring_ext_var(_var STRUCT_ "${tag}_${member}")
	_uring_ext_var(_svar STRUCT_ "${tag}")
	check_struct_has_member("struct ${tag}" ${member} liburing.h ${_var}
		LANGUAGE C)
	if(DEFINED ${_svar} AND NOT ${_svar})
		# comes with the whole struct
		set(_uring_ext_saved ${_uring_ext_not_provided})
		set(_uring_ext_not_provided ON)
		_uring_ext_result(${_var} "struct ${tag}.${member}")
		set(_uring_ext_not_provided ${_uring_ext_saved})
	elseif(DEFINED ${_svar})
		_uring_ext_result(${_var} "struct ${tag}.${member} (not in liburing's struct: in liburing-ext's full-layout copy)")
	else()
		_uring_ext_result(${_var} "struct ${tag}.${member}")
	endif()
endmacro()

# A function (liburing.so's, linked, or an inline of liburing.h).
macro(uring_ext_have_function name)
	_uring_ext_var(_var "" ${name})
	check_symbol_exists(${name} liburing.h ${_var})
	_uring_ext_result(${_var} "${name}()")
endmacro()

# Looked for, but never defined by liburing-ext: liburing's version
# header (2.4 and later), and a flag the library needs internally.
set(_uring_ext_not_provided ON)
uring_ext_have_const(IO_URING_VERSION_MAJOR)
uring_ext_have_const(IORING_REGISTER_USE_REGISTERED_RING)
set(_uring_ext_not_provided OFF)

# Request and register opcodes, setup and CQE flags, mmap offsets
uring_ext_have_const(IORING_OP_RECV_ZC)
uring_ext_have_const(IORING_REGISTER_ZCRX_IFQ)
uring_ext_have_const(IORING_REGISTER_MEM_REGION)
uring_ext_have_const(IORING_REGISTER_QUERY)
uring_ext_have_const(IORING_REGISTER_ZCRX_CTRL)
uring_ext_have_const(IORING_SETUP_CQE_MIXED)
uring_ext_have_const(IORING_CQE_F_32)
uring_ext_have_const(IORING_OFF_PBUF_SHIFT)
uring_ext_have_const(IORING_OFF_MMAP_MASK)
uring_ext_have_member(io_uring_sqe zcrx_ifq_idx)

# Memory regions
uring_ext_have_const(IORING_MEM_REGION_TYPE_USER)
uring_ext_have_type(struct io_uring_region_desc)

# zcrx structures
uring_ext_have_type(struct io_uring_zcrx_rqe)
uring_ext_have_type(struct io_uring_zcrx_cqe)
uring_ext_have_const(IORING_ZCRX_AREA_SHIFT)
uring_ext_have_const(IORING_ZCRX_AREA_MASK)
uring_ext_have_type(struct io_uring_zcrx_offsets)
uring_ext_have_type(enum io_uring_zcrx_area_flags)
uring_ext_have_const(IORING_ZCRX_AREA_DMABUF)
uring_ext_have_type(struct io_uring_zcrx_area_reg)
uring_ext_have_type(enum zcrx_reg_flags)
uring_ext_have_const(ZCRX_REG_IMPORT)
uring_ext_have_const(ZCRX_REG_NODEV)
uring_ext_have_type(enum zcrx_features)
uring_ext_have_const(ZCRX_FEATURE_RX_PAGE_SIZE)
uring_ext_have_const(ZCRX_FEATURE_EVENT)
uring_ext_have_type(struct io_uring_zcrx_ifq_reg)
uring_ext_have_member(io_uring_zcrx_ifq_reg rx_buf_len)
uring_ext_have_member(io_uring_zcrx_ifq_reg event_desc)

# IORING_REGISTER_ZCRX_CTRL
uring_ext_have_type(enum zcrx_ctrl_op)
uring_ext_have_const(ZCRX_CTRL_FLUSH_RQ)
uring_ext_have_const(ZCRX_CTRL_EXPORT)
uring_ext_have_const(ZCRX_CTRL_ARM_EVENT)
uring_ext_have_type(struct zcrx_ctrl_flush_rq)
uring_ext_have_type(struct zcrx_ctrl_export)
uring_ext_have_type(struct zcrx_ctrl_arm_event)
uring_ext_have_type(struct zcrx_ctrl)
uring_ext_have_member(zcrx_ctrl zc_arm_event)

# Event descriptors and statistics
uring_ext_have_type(enum zcrx_event_type)
uring_ext_have_const(ZCRX_EVENT_ALLOC_FAIL)
uring_ext_have_const(ZCRX_EVENT_COPY)
uring_ext_have_type(enum zcrx_event_desc_flags)
uring_ext_have_const(ZCRX_EVENT_DESC_FLAG_STATS)
uring_ext_have_type(struct zcrx_event_desc)
uring_ext_have_type(struct zcrx_stats)

# IORING_REGISTER_QUERY
uring_ext_have_type(struct io_uring_query_hdr)
uring_ext_have_const(IO_URING_QUERY_OPCODES)
uring_ext_have_const(IO_URING_QUERY_ZCRX)
uring_ext_have_const(IO_URING_QUERY_SCQ)
uring_ext_have_type(struct io_uring_query_opcode)
uring_ext_have_type(struct io_uring_query_zcrx)
uring_ext_have_type(struct io_uring_query_scq)

# liburing's zcrx API and the general helpers zcrx programs use
uring_ext_have_type(struct io_uring_zcrx_rq)
uring_ext_have_function(io_uring_register_ifq)
uring_ext_have_function(io_uring_register_zcrx_ctrl)
uring_ext_have_function(io_uring_register_query)
uring_ext_have_function(uring_ptr_to_u64)
uring_ext_have_function(io_uring_cqe_nr)

# Names of liburing-ext's own helpers that a liburing could one day take:
# liburing-ext declares them only while liburing does not have them.
set(_uring_ext_not_provided ON)
uring_ext_have_function(io_uring_prep_recv_zc)
uring_ext_have_type(struct io_uring_zcrx_area)
uring_ext_have_type(struct io_uring_zcrx_ifq_opts)
uring_ext_have_type(struct io_uring_zcrx_ifq)
uring_ext_have_type(enum io_uring_zcrx_area_type)
uring_ext_have_type(enum io_uring_zcrx_rq_mem)
uring_ext_have_type(enum io_uring_zcrx_reason)
set(_uring_ext_not_provided OFF)

set(URING_EXT_CHECK_VARS ${URING_EXT_CHECK_VARS} CACHE INTERNAL "")

# liburing's functions that liburing-ext defines (and exports, in the
# compat version node) because the liburing in use lacks them.
set(URING_EXT_COMPAT_SYMBOLS)
foreach(f io_uring_register_ifq io_uring_register_zcrx_ctrl
	  io_uring_register_query)
	_uring_ext_var(_var "" ${f})
	if(NOT ${_var})
		list(APPEND URING_EXT_COMPAT_SYMBOLS ${f})
	endif()
endforeach()

unset(CMAKE_REQUIRED_QUIET)
unset(CMAKE_REQUIRED_DEFINITIONS)
unset(CMAKE_REQUIRED_LIBRARIES)
