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

    /// What the kernel files say decides the count: the affinity mask (`taskset -c 3`), the cgroup
    /// quota (`docker --cpus 0.5`), whichever allows fewer; without them, the CPUs online.
    @Test func theFewestOfAffinityQuotaAndOnlineCPUs() throws {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let directory = "/tmp/authkit-cpucount-\(getpid())"
        mkdir(directory, 0o700)
        defer { for name in ["status-one", "status-many", "max-half", "max-none"] { unlink("\(directory)/\(name)") }; rmdir(directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = "\(directory)/\(name)"
            let file = try #require(fopen(path, "w"))
            fputs(text, file)
            fclose(file)
            return path
        }
        // As /proc/self/status has it: other lines first, the list after the mask.
        let oneCPU = try write("status-one", "Name:\tauthkit-fcgi\nCpus_allowed:\t8\nCpus_allowed_list:\t3\nMems_allowed_list:\t0\n")
        let manyCPUs = try write("status-many", "Name:\tauthkit-fcgi\nCpus_allowed_list:\t0-1023\n")
        let halfACPU = try write("max-half", "50000 100000\n")
        let noQuota = try write("max-none", "max 100000\n")
        let missing = "\(directory)/absent"
        #expect(CPUCount.available(status: oneCPU, cpuMax: noQuota) == 1, "the affinity mask allows one CPU")
        #expect(CPUCount.available(status: manyCPUs, cpuMax: halfACPU) == 1, "the quota allows half a CPU")
        #expect(CPUCount.available(status: manyCPUs, cpuMax: noQuota) == online, "no more than are online")
        #expect(CPUCount.available(status: missing, cpuMax: missing) == online, "no files: the CPUs online")
    }

    /// This process, against `nproc` (coreutils, which asks sched_getaffinity): without a cgroup
    /// quota, the same number.
    @Test func thisProcessCountsWhatNprocCounts() {
        guard access("/sys/fs/cgroup/cpu.max", F_OK) != 0 else { return }  // a quota nproc may not know
        guard let nproc = ([String](["/usr/bin/nproc", "/bin/nproc"])).first(where: { access($0, X_OK) == 0 }) else {
            #expect(getenv("CI") == nil, "nproc is missing")
            return
        }
        guard let pipe = popen(nproc, "r") else { Issue.record("popen \(nproc) failed"); return }
        var line = [CChar](repeating: 0, count: 64)
        let read = fgets(&line, Int32(line.count), pipe) != nil
        pclose(pipe)
        let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(read && Int(text) == CPUCount.available(), "nproc says \(text)")
    }
}
