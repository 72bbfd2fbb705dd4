package cuda

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/internal/cgo"
)

// Device attributes (CUdevice_attribute values of cuda.h).
const (
	AttrMaxThreadsPerBlock           = 1
	AttrMaxSharedMemoryPerBlock      = 8
	AttrWarpSize                     = 10
	AttrMaxRegistersPerBlock         = 12
	AttrClockRate                    = 13 // kHz
	AttrMultiprocessorCount          = 16
	AttrMemoryClockRate              = 36 // kHz
	AttrGlobalMemoryBusWidth         = 37 // bits
	AttrL2CacheSize                  = 38 // bytes
	AttrMaxThreadsPerMultiprocessor  = 39
	AttrComputeCapabilityMajor       = 75
	AttrComputeCapabilityMinor       = 76
	AttrMaxSharedMemoryPerMultiproc  = 81
	AttrMaxSharedMemoryPerBlockOptin = 97
)

// ComputeCapability is a device's SM version, e.g. {9, 0} for Hopper.
type ComputeCapability struct{ Major, Minor int }

// SM returns the capability as one number, e.g. 90.
func (c ComputeCapability) SM() int { return c.Major*10 + c.Minor }

func (c ComputeCapability) String() string { return fmt.Sprintf("%d.%d", c.Major, c.Minor) }

// DeviceInfo is what gotrt knows of a device.
type DeviceInfo struct {
	Ordinal                      int
	Name                         string
	ComputeCapability            ComputeCapability
	TotalMemory                  uint64 // bytes
	SMCount                      int
	ClockMHz                     int // maximum SM clock
	MemoryClockMHz               int // maximum memory clock
	MemoryBusWidth               int // bits
	L2CacheBytes                 int
	WarpSize                     int
	MaxThreadsPerBlock           int
	MaxSharedMemoryPerBlock      int
	MaxSharedMemoryPerBlockOptin int
	PCIBusID                     string
	UUID                         string // "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
	// Source says where name, memory and clocks came from: "nvml" or "driver".
	Source string
}

// Device is a CUDA device.
type Device struct {
	dev  int32
	info DeviceInfo
}

// DeviceCount returns the number of CUDA devices. It calls Load first.
func DeviceCount() (int, error) {
	if err := Load(); err != nil {
		return 0, err
	}
	n, code := cgo.CuDeviceCount()
	if err := newError(LibDriver, code, "cuDeviceGetCount"); err != nil {
		return 0, err
	}
	return n, nil
}

// GetDevice returns the device of the given ordinal, with its properties read from NVML
// where NVML serves (name, memory, clocks) and from driver attributes otherwise.
func GetDevice(ordinal int) (*Device, error) {
	if err := Load(); err != nil {
		return nil, err
	}
	dev, code := cgo.CuDeviceGet(ordinal)
	if err := newError(LibDriver, code, "cuDeviceGet"); err != nil {
		return nil, err
	}
	props, code := cgo.CuDeviceProps(dev)
	if err := newError(LibDriver, code, "cuDeviceGetName"); err != nil {
		return nil, err
	}
	attrs := []int32{AttrComputeCapabilityMajor, AttrComputeCapabilityMinor, AttrMultiprocessorCount,
		AttrClockRate, AttrMemoryClockRate, AttrGlobalMemoryBusWidth, AttrL2CacheSize, AttrWarpSize,
		AttrMaxThreadsPerBlock, AttrMaxSharedMemoryPerBlock, AttrMaxSharedMemoryPerBlockOptin}
	v, code := cgo.CuDeviceAttrs(dev, attrs)
	if err := newError(LibDriver, code, "cuDeviceGetAttribute"); err != nil {
		return nil, err
	}
	info := DeviceInfo{
		Ordinal:                      ordinal,
		Name:                         props.Name,
		ComputeCapability:            ComputeCapability{int(v[0]), int(v[1])},
		TotalMemory:                  props.TotalMem,
		SMCount:                      int(v[2]),
		ClockMHz:                     khzToMHz(v[3]),
		MemoryClockMHz:               khzToMHz(v[4]),
		MemoryBusWidth:               int(v[5]),
		L2CacheBytes:                 int(v[6]),
		WarpSize:                     int(v[7]),
		MaxThreadsPerBlock:           int(v[8]),
		MaxSharedMemoryPerBlock:      int(v[9]),
		MaxSharedMemoryPerBlockOptin: int(v[10]),
		PCIBusID:                     props.PCIBusID,
		UUID:                         formatUUID(props.UUID),
		Source:                       "driver",
	}
	fillFromNVML(&info)
	return &Device{dev: dev, info: info}, nil
}

func khzToMHz(k int32) int {
	if k <= 0 {
		return 0
	}
	return int(k) / 1000
}

func formatUUID(u [16]byte) string {
	var zero [16]byte
	if u == zero {
		return ""
	}
	return fmt.Sprintf("GPU-%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Info returns the device's properties.
func (d *Device) Info() DeviceInfo { return d.info }

// Ordinal returns the device's ordinal.
func (d *Device) Ordinal() int { return d.info.Ordinal }

// Name returns the device's name, e.g. "NVIDIA H100 80GB HBM3".
func (d *Device) Name() string { return d.info.Name }

// ComputeCapability returns the device's SM version.
func (d *Device) ComputeCapability() ComputeCapability { return d.info.ComputeCapability }

// TotalMemory returns the device's memory in bytes.
func (d *Device) TotalMemory() uint64 { return d.info.TotalMemory }

// SMCount returns the number of multiprocessors.
func (d *Device) SMCount() int { return d.info.SMCount }

// ClockMHz returns the maximum SM clock.
func (d *Device) ClockMHz() int { return d.info.ClockMHz }

// MemoryClockMHz returns the maximum memory clock.
func (d *Device) MemoryClockMHz() int { return d.info.MemoryClockMHz }

// Attribute reads a driver attribute (one of the Attr* constants, or any CUdevice_attribute).
func (d *Device) Attribute(attr int) (int, error) {
	v, code := cgo.CuDeviceAttrs(d.dev, []int32{int32(attr)})
	if err := newError(LibDriver, code, "cuDeviceGetAttribute"); err != nil {
		return 0, err
	}
	return int(v[0]), nil
}

func (d *Device) String() string {
	return fmt.Sprintf("%s (sm_%d, %d SMs, %.1f GiB)", d.info.Name, d.info.ComputeCapability.SM(),
		d.info.SMCount, float64(d.info.TotalMemory)/(1<<30))
}

// ---- NVML ----

var nvmlState struct {
	once sync.Once
	lib  nvml.Interface
	ok   bool
}

// nvmlLib initializes NVML once (from the driver's directory first, then the loader's path).
func nvmlLib() (nvml.Interface, bool) {
	nvmlState.once.Do(func() {
		var candidates []string
		if d := libraryDir(LibDriver); d != "" {
			candidates = append(candidates, filepath.Join(d, "libnvidia-ml.so.1"))
		}
		candidates = append(candidates, "libnvidia-ml.so.1")
		for _, c := range candidates {
			if strings.HasPrefix(c, "/") && !exists(c) {
				continue
			}
			lib := nvml.New(nvml.WithLibraryPath(c))
			if ret := lib.Init(); ret == nvml.SUCCESS {
				nvmlState.lib, nvmlState.ok = lib, true
				return
			}
		}
	})
	return nvmlState.lib, nvmlState.ok
}

// fillFromNVML overwrites name, memory and clocks with NVML's figures where NVML has them.
func fillFromNVML(info *DeviceInfo) {
	lib, ok := nvmlLib()
	if !ok {
		return
	}
	var h nvml.Device
	ret := nvml.ERROR_NOT_FOUND
	if info.UUID != "" {
		h, ret = lib.DeviceGetHandleByUUID(info.UUID)
	}
	if ret != nvml.SUCCESS && info.PCIBusID != "" {
		h, ret = lib.DeviceGetHandleByPciBusId(info.PCIBusID)
	}
	if ret != nvml.SUCCESS {
		return
	}
	used := false
	if name, r := lib.DeviceGetName(h); r == nvml.SUCCESS && name != "" {
		info.Name, used = name, true
	}
	if mem, r := lib.DeviceGetMemoryInfo(h); r == nvml.SUCCESS && mem.Total > 0 {
		info.TotalMemory, used = mem.Total, true
	}
	if c, r := lib.DeviceGetMaxClockInfo(h, nvml.CLOCK_SM); r == nvml.SUCCESS && c > 0 {
		info.ClockMHz, used = int(c), true
	}
	if c, r := lib.DeviceGetMaxClockInfo(h, nvml.CLOCK_MEM); r == nvml.SUCCESS && c > 0 {
		info.MemoryClockMHz, used = int(c), true
	}
	if used {
		info.Source = "nvml"
	}
}
