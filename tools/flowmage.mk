# flowmage.mk -- Make integration of flowmagec (include it from your Makefile).
#
#   FLOWMAGE_NFS    := elements/             # NF sources or directories to track
#   FLOWMAGE_SRC    := /path/to/fastclick    # framework tree(s) for includes (optional)
#   FLOWMAGE_FLAGS  := --cores 8 --nic mlx5  # options of the main job
#   include /path/to/flowmage.mk
#   all: chain.opt.click
#
# $(FLOWMAGE_DB) is refreshed by `flowmagec track` when any NF source it read changes
# (the depfile lists them all, headers included); `X.opt.click` is built from `X.click`
# and the DB.  The main job only rewrites the DB when it analysed something new, so
# an up-to-date tree makes nothing.
FLOWMAGEC      ?= flowmagec
FLOWMAGE_DB    ?= features.json
FLOWMAGE_NFS   ?= elements/
FLOWMAGE_SRC   ?=
FLOWMAGE_FLAGS ?=
FLOWMAGE_SRC_ARGS = $(foreach d,$(FLOWMAGE_SRC),--src $(d))

$(FLOWMAGE_DB):
	$(FLOWMAGEC) track $(FLOWMAGE_NFS) $(FLOWMAGE_SRC_ARGS) --db $@ --depfile $@.d

%.opt.click: %.click $(FLOWMAGE_DB)
	$(FLOWMAGEC) $< -o $@ --features $(FLOWMAGE_DB) $(FLOWMAGE_SRC_ARGS) $(FLOWMAGE_FLAGS) --force

-include $(FLOWMAGE_DB).d
