#if canImport(Glibc)
import Glibc
#endif

/// How many CPUs this process can keep busy, for the default number of worker threads.
///
/// The fewest of: the CPUs it may run on (its affinity mask: `taskset`, cpusets), the CPUs
/// online, and a cgroup v2 CPU quota rounded up (`cpu.max`, what `docker --cpus` and systemd's
/// `CPUQuota=` set). A container limited to two CPUs on a 64-CPU host counts two.
public enum CPUCount {
    public static func available() -> Int {
        available(status: "/proc/self/status", cpuMax: "/sys/fs/cgroup/cpu.max")
    }

    /// ``available()`` from these files (tests give files of their own).
    static func available(status: String, cpuMax: String) -> Int {
        var count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        if let mask = affinityCount(status: status) { count = min(count, mask) }
        if let text = firstLine(of: cpuMax, where: { _ in true }), let limit = quota(cpuMax: text) {
            count = min(count, limit)
        }
        return count
    }

    /// CPUs in `cpu.max` ("200000 100000" → 2, "150000 100000" → 2, "max 100000" → nil).
    static func quota(cpuMax: String) -> Int? {
        let fields = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 else { return nil }
        // Rounded up without `quota + period - 1`, which overflows for a quota near Int.max.
        return max(1, quota / period + (quota % period == 0 ? 0 : 1))
    }

    /// CPUs in the affinity mask, from `Cpus_allowed_list:` in /proc/self/status (Swift's
    /// Glibc module does not export sched_getaffinity).
    private static func affinityCount(status: String) -> Int? {
        let prefix = "Cpus_allowed_list:"
        return firstLine(of: status, where: { $0.hasPrefix(prefix) }).flatMap { count(cpuList: String($0.dropFirst(prefix.count))) }
    }

    /// CPUs in a kernel CPU list ("0-3,8,10-11" → 7); nil if it does not read as one.
    static func count(cpuList: String) -> Int? {
        var total = 0
        for part in cpuList.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = Int(bounds[0]), bounds.count <= 2 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, low >= 0 else { return nil }
            // Checked: a list such as "0-9223372036854775807" must not trap.
            let (span, overflowed) = (high - low).addingReportingOverflow(1)
            let (sum, carried) = total.addingReportingOverflow(span)
            guard !overflowed, !carried else { return nil }
            total = sum
        }
        return total > 0 ? total : nil
    }

    /// The first line of a small file that `matches`, if the file can be read.
    private static func firstLine(of path: String, where matches: (String) -> Bool) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            // The text before the NUL that fgets wrote.
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if matches(text) { return text }
        }
        return nil
    }
}
