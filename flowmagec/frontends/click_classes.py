"""Element class knowledge: which identifiers are Click element classes.

Click decides whether ``Foo`` in ``Foo -> x`` is an anonymous element of class
``Foo`` or a reference to an element named ``Foo`` by asking whether ``Foo`` is a
class.  We learn the classes from the framework source tree(s) (``--src``):
``EXPORT_ELEMENT(...)`` and ``class_name()`` in ``.hh``/``.cc`` files, plus
``share/click/elementmap.xml`` when a build produced it.  Without a tree we fall
back on the class names of a stock FastClick checkout (syntax knowledge only:
nothing here says what an element does).
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Iterable

_EXPORT_RE = re.compile(rb"EXPORT_ELEMENT\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")
_CLASS_NAME_RE = re.compile(rb'class_name\(\)\s*const[^{;]*\{\s*return\s*"([A-Za-z0-9_@]+)"')
_SOURCE_SUFFIXES = (".hh", ".cc", ".h", ".cpp", ".hpp")

# Class names exported by a stock FastClick tree (elements/**), used when no
# --src tree is given.
FALLBACK_CLASSES: frozenset[str] = frozenset("""
ACKResponder ACKResponder2 ACKRetrySender ACKRetrySender2 ARPAdvertiser ARPFaker
ARPPrint ARPQuerier ARPResponder ARPTable AdaptiveRED AddressInfo AddressTranslator
AdjustTimestamp Aes AggregateCounter AggregateCounterIMP AggregateCounterVector
AggregateFilter AggregateFirst AggregateGroup AggregateHash AggregateIP
AggregateIPAddrPair AggregateIPFlows AggregateLast AggregateLength
AggregatePacketCounter AggregatePaint AiroInfo Align AlignmentInfo AnnotationInfo
AnonymizeIPAddr AssociationRequester AssociationResponder AthdescDecap AthdescEncap
AtomicTest AutoRateFallback AvailableRates AverageBatchCounter AverageCounter
AverageCounterIMP AverageCounterMP B8B10 BIM BalancedThreadSched BandwidthMeter
BandwidthRatedSplitter BandwidthRatedUnqueue BandwidthShaper BatchElementTest BatchStats
BatchTest BeaconScanner BeaconSource BeaconTracker BigHashMapTest BigintTest
BitvectorTest Block BlockThread BottleneckMetric BufferConverter BurstStats Burster
Bypass CLPTest CPUQueue CPUSwitch CTXASCIIPrint CTXCRC CTXDPDKBuilderManager
CTXDPDKCacheManager CTXDPDKManager CTXDispatcher CTXIDSMatcher CTXIPLoadBalancer
CTXIPLoadBalancerReverse CTXIPRoute CTXManager ChangeUID ChatterSocket CheckARPHeader
CheckCRC32 CheckGREHeader CheckGridHeader CheckICMPHeader CheckIP6Header CheckIPHeader
CheckIPHeader2 CheckLength CheckNumberPacket CheckPacket CheckPaint CheckPattern
CheckTCPHeader CheckUDPHeader ChuckCheck Classifier ClickyInfo Clipboard CoDel
CompareBlock ComparePackets ConfParseTest ConsistencyCheck ControlSocket CopyFlowID
CopyTCPSeq Counter CounterAtomic CounterFile CounterLock CounterLockMP CounterMP
CounterPLockMP CounterPRW CounterPRWMP CounterRCU CounterRCUMP CounterRW CounterRWMP
CounterRxWMP CounterRxWMPPR CounterRxWMPPW CounterTest CrossRSS CryptoTest
CycleCountAccum DDIOTune DPDKDeviceClock DPDKInfo DRRSched DSDVRouteTable DSRArpTable
DSRRouteTable DebugBridge DecIP6HLIM DecIPTTL DelayShaper DelayUnqueue DequeTest Des
DeviceBalancer DevirtualizeInfo DevirtualizeTest DirectIPLookup Discard DiscardNoFree
DiscardNoFreeBuffer DriverManager DropBroadcasts DupPath Duplicate DynamicUDPIPEncap
E2ELossMetric ERSPANDecap ETX2Metric ETXMetric EXPUnqueue EnsureDPDKBuffer EnsureEther
EnsureHeadroom EnsureNetmapBuffer EraseIPPayload ErrorElement ErrorTest
EstimateRouterRegion EtherCount EtherEncap EtherMirror EtherPauseSource EtherRewrite
EtherSpanTree EtherSwitch EtherVLANEncap ExactCPUSwitch ExactPaintSwitch ExtraDecap
ExtraEncap FTPPortMapper FastTCPFlows FastUDPFlows FastUDPFlowsIP6 FastUDPSource
FastUDPSourceIP6 FilterByGridHops FilterByRange FilterFailures FilterPhyErr FilterTX
FixDstLoc FixIPSrc FixSrcLoc FloodingLocQuerier FlowAcquire FlowContextDispatcher
FlowCounter FlowHyperScan FlowIDSChunkMatcher FlowIPLoadBalancer
FlowIPLoadBalancerReverse FlowIPManager FlowIPManagerBucket FlowIPManagerHMP
FlowIPManagerMP FlowIPManager_CuckooPP FlowIPManager_DPDK FlowIPNAT FlowIPNATReverse
FlowIPOutputCombo FlowInfo FlowL2LoadBalancer FlowLock FlowMinLoadSwitch
FlowNAPTLoadBalancer FlowNAPTLoadBalancerReverse FlowPaint FlowPrint FlowRandLoad
FlowRateLimiter FlowRegexMatcher FlowRoundRobinSwitch FlowRouter FlowRuleInstaller
FlowStack FlowStrip FlowSwitch FlowUnstrip FlowWebGen FlowWorkPackage ForceICMP ForceIP
ForceTCP ForceUDP FromCapDump FromDAGDump FromDPDKDevice FromDPDKDeviceXCHG FromDPDKRing
FromDevice FromDump FromFlanDump FromHandler FromHost FromIPSummaryDump FromMinDump
FromNLANRDump FromNetFlowSummaryDump FromNetmapDevice FromRawSocket FromSimDevice
FromSocket FromTcpdump FromUserDevice FrontDropQueue FunctionTest GREEncap GTPDecap
GTPEncap GTPLookup GTPTable GetEtherAddress GetIP6Address GetIPAddress GridEncap
GridGatewayInfo GridHeaderInfo GridLocationInfo GridLocationInfo2 GridLogger
GridProbeHandler GridProbeReplyReceiver GridProbeSender GridProxy GridRouteTable
GridSRForwarder GridTxError GroupRegexClassifier HTTPIn HTTPOut HTTPServer
HandlerAggregate HandlerTask HashSwitch HashTableMPTest HashTableTest HeapTest
HopcountMetric HostEtherFilter Hub ICMP6Error ICMPError ICMPIPEncap ICMPPingEncap
ICMPPingResponder ICMPPingRewriter ICMPPingSource ICMPRewriter IP6Drop IP6Encap
IP6Fragmenter IP6Mirror IP6NDAdvertiser IP6NDSolicitor IP6Print IP6SRDecap IP6SREncap
IP6SRProcess IPAddrPairRewriter IPAddrRewriter IPClassifier IPEncap IPFieldInfo IPFilter
IPFlowRawSockets IPFragmenter IPGWOptions IPIn IPInputCombo IPLoadBalancer
IPLoadBalancerReverse IPMirror IPNameInfo IPOut IPOutputCombo IPPrint IPRRSwitch
IPRateMonitor IPReassembler IPRewriter IPRewriterMap IPRewriterPatterns
IPSummaryDump_Anno IPSummaryDump_ICMP IPSummaryDump_IP IPSummaryDump_Link
IPSummaryDump_Payload IPSummaryDump_TCP IPSummaryDump_UDP IPsecAES IPsecAuthHMACSHA1
IPsecAuthSHA1 IPsecDES IPsecESPEncap IPsecESPUnencap IPsecEncap Idle IncrementSeqNo
IndexTreesIPLookup InfiniteSource InputSwitch JiffieClock JsonTest KVSKeyGen
KernelFilter KernelHandlerProxy KernelTap KernelTun KernelTunMP L2LoadBalancer LIRMetric
LinearIPLookup LinkStat LinkTable LinkTestReceiver LinkTester LinkTracker LinkUnqueue
LinuxClock LinuxIPLookup ListTest ListenEtherSwitch LocFromFile LocQueryResponder
LocationTable LookupGeographicGridRoute LookupIP6Route LookupIPRouteMP
LookupLocalGridRoute LookupLocalGridRoute2 MBGClock MSQueue MTDieTest MadwifiRate
MarkIP6Header MarkIPCE MarkIPHeader MarkMACHeader McastSocket Message MessageElement
Meter MidStat MinBatch MixedQueue MonitoringReportSocket MoveData MovementSimulator
MultiCounter MultiReplay MultiReplayUnqueue NeighborhoodTest NetmapInfo NotifierDebug
NotifierQueue NotifierTest Null Null1 Null2 Null3 Null4 Null5 Null6 Null7 Null8
NullElement NullTask NumberPacket OpenAuthRequester OpenAuthResponder PEP PI
PacketLogger PacketLogger2 PacketMemStats PacketStore PacketTest Pad Paint Paint2
PaintRR PaintSwitch PaintTee PathSpinlock PerfCountAccum PerfCountInfo PingPong
Pipeliner PollDevice PortInfo Print Print80211 PrintAiro PrintGrid PrintOld
PrintTXFeedback PrintWifi PrioSched Prism2Decap Prism2Encap ProbeRequester
ProbeResponder ProbeTXRate ProgressBar ProtocolTranslator46 ProtocolTranslator64
PullNull PullNullElement PullSwitch PullTee PushAnno PushNull PushNullElement Queue
QueueDevice QueueThreadTest1 QueueThreadTest2 QueueYankTest QuickNoteQueue QuitWatcher
RCUTest RED RFC2507Comp RFC2507Decomp RFC2507c RFC2507d RIPSend RRMultiSched RRSched
RSSHashSwitch RTCycles RXStats RadioSim RadiotapDecap RadiotapEncap RadixIPLookup
RadixIPsecLookup RandLoad RandomBitErrors RandomSample RandomSeed RandomSource
RandomSwitch RandomUDPIPEncap RangeIPLookup RatedSource RatedSplitter RatedUnqueue
RawSocket ReadAnno RecordTimestamp Reframe RegexClassifier RegexMatcher Replay
ReplayUnqueue ResetIPChecksum Resize RoundRobinIPMapper RoundRobinMultiSched
RoundRobinSched RoundRobinSwitch RoundRobinUnqueue RoundTripCycleCount SATable SFMaker
SYNFlood SchedOrderTest ScheduleInfo ScheduleLinux Scramble Script Search SendGridHello
SendGridLRHello SendPattern SetAnnoByte SetCRC32 SetCycleCount SetEtherAddress
SetGridChecksum SetIP6Address SetIP6DSCP SetIPAddress SetIPChecksum SetIPDSCP SetIPECN
SetNoAck SetPacketType SetPerfCount SetRTS SetRandIPAddress SetTCPChecksum SetTXPower
SetTXRate SetTimestamp SetTimestampDelta SetTransportChecksumIP6 SetUDPChecksum
SetVLANAnno Shaper Shifter SimPacketAnalyzer SimpleIdle SimpleLocQuerier SimplePrioSched
SimplePullSwitch SimpleQueue SimpleRRSched SimpleRoundRobinSched SimpleTCPReorder
SimpleTCPRetransmitter SnoopTCP Socket SortTest SortedIPLookup SourceIPHashMapper
SpinlockAcquire SpinlockInfo SpinlockRelease StatelessTCPResponder StaticIPLookup
StaticPullSwitch StaticSwitch StaticThreadSched StationTable StoreAnno StoreData
StoreEtherAddress StoreFlowID StoreIPAddress StoreTimestamp StoreUDPTimeSeqRecord
StrideSched StrideSwitch StringClassifier StringMatcher StringTest Strip StripDSRHeader
StripEtherVLANHeader StripGREHeader StripIPHeader StripToNetworkHeader
StripTransportHeader Suppressor Switch TCPAck TCPBuffer TCPClientAck TCPConn TCPDemux
TCPFragmenter TCPIPSend TCPIn TCPOut TCPReflector TCPReorder TCPRewriter TCPStateIN
TCPStatus TSCClock TaskThreadTest Tee TestFlowSpace ThreadIPMapper ThreadMonitor
ThreadSafeQueue ThresholdMetric TimeFilter TimeRange TimeSortedSched TimedSink
TimedSource TimedUnqueue TimerTest TimestampAccum TimestampAccumMP TimestampDiff
ToDPDKDevice ToDPDKDeviceXCHG ToDPDKRing ToDevice ToDump ToHost ToHostSniffers
ToIPFlowDumps ToIPSummaryDump ToMinDump ToNetmapDevice ToRawSocket ToSimDevice
ToSimTrace ToSocket ToUserDevice TokenBucketTest ToyTCP Truncate TruncateFCS
TruncateIPPayload UDPIP6Encap UDPIPEncap UDPIn UDPOut UDPRewriter UMLSwitch Unqueue
Unqueue2 Unstrip UnstripAnno UnstripDSRHeader UnstripIPHeader UnstripTCPHeader
UnstripTransportHeader UpdateGridRoutes UpstreamNotifier VLANDecap VLANEncap VectorTest
WebGen WebServer WepDecap WepEncap WifiDecap WifiDefrag WifiDupeFilter WifiEncap
WifiFragment WifiSeq WirelessInfo WordMatcher WorkPackage XDPLoader YarvisMetric
""".split())


def classes_in_source(root: str) -> set[str]:
    """Class names exported by the C++ sources under ``root``."""
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for fn in filenames:
            if not fn.endswith(_SOURCE_SUFFIXES):
                continue
            try:
                with open(os.path.join(dirpath, fn), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if b"EXPORT_ELEMENT" in data:
                found.update(m.decode() for m in _EXPORT_RE.findall(data))
            if b"class_name" in data:
                found.update(m.decode() for m in _CLASS_NAME_RE.findall(data))
    # Element classes are capitalised; this drops macro parameters like class_name() { return "x"; }.
    return {c for c in found if c[0].isupper()}


def classes_in_elementmap(path: str) -> set[str]:
    """Class names listed in a Click ``elementmap.xml``."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return set()
    return {e.get("name") for e in tree.getroot().iter()
            if e.tag.endswith("entry") and e.get("name")}


@lru_cache(maxsize=None)
def _classes_of_tree(root: str) -> frozenset[str]:
    found = classes_in_source(root)
    emap = os.path.join(root, "share", "click", "elementmap.xml")
    if os.path.isfile(emap):
        found |= classes_in_elementmap(emap)
    return frozenset(found)


def known_classes(src_dirs: Iterable[str] = ()) -> set[str]:
    """Every element class known from ``src_dirs`` (cached per tree) plus the fallback list."""
    out = set(FALLBACK_CLASSES)
    for d in src_dirs:
        if os.path.isdir(d):
            out |= _classes_of_tree(os.path.realpath(d))
        elif d.endswith(".xml") and os.path.isfile(d):
            out |= classes_in_elementmap(d)
    return out
