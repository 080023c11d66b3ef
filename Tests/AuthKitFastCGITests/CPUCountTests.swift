import Testing
@testable import AuthKitFastCGI

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CPUCountTests {
    @Test func readsCgroupQuotasRoundedUp() {
        #expect(CPUCount.quota(cpuMax: "200000 100000\n") == 2)
        #expect(CPUCount.quota(cpuMax: "150000 100000") == 2)
        #expect(CPUCount.quota(cpuMax: "50000 100000") == 1)
        #expect(CPUCount.quota(cpuMax: "max 100000\n") == nil)
        #expect(CPUCount.quota(cpuMax: "") == nil)
        #expect(CPUCount.quota(cpuMax: "0 100000") == nil)
    }

    @Test func countsKernelCPULists() {
        #expect(CPUCount.count(cpuList: "\t0-1\n") == 2)
        #expect(CPUCount.count(cpuList: "0-3,8,10-11") == 7)
        #expect(CPUCount.count(cpuList: "5") == 1)
        #expect(CPUCount.count(cpuList: "") == nil)
        #expect(CPUCount.count(cpuList: "3-1") == nil)
        #expect(CPUCount.count(cpuList: "a-b") == nil)
        #expect(CPUCount.count(cpuList: "1-2-3") == nil)
    }

    @Test func extremeNumbersInKernelFilesNeverTrap() {
        #expect(CPUCount.quota(cpuMax: "9223372036854775807 1") == .max, "used to overflow in quota + period - 1")
        #expect(CPUCount.quota(cpuMax: "9223372036854775807 2") == 4_611_686_018_427_387_904)
        #expect(CPUCount.quota(cpuMax: "9223372036854775808 100000") == nil)
        #expect(CPUCount.quota(cpuMax: "-5 100000") == nil && CPUCount.quota(cpuMax: "100000 -5") == nil)
        #expect(CPUCount.count(cpuList: "0-9223372036854775807") == nil, "used to overflow in high - low + 1")
        #expect(CPUCount.count(cpuList: "0-9223372036854775806,0-9223372036854775806") == nil)
        #expect(CPUCount.count(cpuList: "0-\(String(repeating: "9", count: 400))") == nil)
    }

    @Test func thisMachineCountsBetweenOneAndItsOnlineCPUs() {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #expect(CPUCount.available() >= 1 && CPUCount.available() <= online)
        #expect(WorkerPool.defaultWorkers == CPUCount.available() + 1)
    }
}
