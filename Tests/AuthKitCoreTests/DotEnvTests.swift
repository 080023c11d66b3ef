import Testing
@testable import AuthKitCore

/// `DotEnv.parse` against the `dotenv` package's rules (what Next.js reads from `.env.local`).
@Suite struct DotEnvTests {
    func parse(_ text: String) throws -> [String: String] {
        Dictionary(try DotEnv.parse(text).map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    func error(_ text: String) -> DotEnvError? {
        do {
            _ = try DotEnv.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsANextJSEnvLocal() throws {
        let values = try parse("""
            # WorkOS
            WORKOS_CLIENT_ID=client_01ABC
            export WORKOS_API_KEY='sk_test_abc#not-a-comment'
            WORKOS_COOKIE_PASSWORD="line1\\nline2"
            NEXT_PUBLIC_WORKOS_REDIRECT_URI=http://localhost:3000/callback # inline comment
            EMPTY=
            SPACED =   padded value\t
            BACKTICK=`it's "quoted"`
            """)
        #expect(values == [
            "WORKOS_CLIENT_ID": "client_01ABC",
            "WORKOS_API_KEY": "sk_test_abc#not-a-comment",
            "WORKOS_COOKIE_PASSWORD": "line1\nline2",
            "NEXT_PUBLIC_WORKOS_REDIRECT_URI": "http://localhost:3000/callback",
            "EMPTY": "",
            "SPACED": "padded value",
            "BACKTICK": #"it's "quoted""#,
        ])
    }

    @Test func keepsFileOrderAndDuplicates() throws {
        let pairs = try DotEnv.parse("B=1\nA=2\nB=3\n")
        #expect(pairs.map(\.key) == ["B", "A", "B"])
        #expect(pairs.map(\.value) == ["1", "2", "3"])
        #expect(try parse("B=1\nB=3")["B"] == "3")
    }

    @Test func exportPrefixAndSeparators() throws {
        let values = try parse("""
            export A=1
            export\tB=2
              export   C = 3
            export=4
            D  =  5
            E: 6
            F.G-H_9=7
            exportI=8
            """)
        #expect(values == ["A": "1", "B": "2", "C": "3", "export": "4", "D": "5", "E": "6", "F.G-H_9": "7", "exportI": "8"])
    }

    @Test func comments() throws {
        let values = try parse("""
            # a full-line comment
               # an indented one
            A=value # after a space
            B=value\t# after a tab
            C=abc#def
            D=  # only a comment
            E="quoted # kept" # comment
            F='x'#comment straight after the quote
            G=#
            """)
        // dotenv ends an unquoted value at any `#` (`[^#\r\n]+`), so Next.js reads C as "abc".
        #expect(values == ["A": "value", "B": "value", "C": "abc", "D": "", "E": "quoted # kept", "F": "x", "G": ""])
    }

    @Test func blankLinesAndWhitespace() throws {
        let values = try parse("\n\n   \n\t\nA=  spaced out  \n\nB=\t\n")
        #expect(values == ["A": "spaced out", "B": ""])
        #expect(try DotEnv.parse("").isEmpty)
        #expect(try DotEnv.parse("\n# only\n\n").isEmpty)
    }

    @Test func singleQuotesAreLiteral() throws {
        let values = try parse(#"""
            A='no \n expansion'
            B='  inner spaces kept  '
            C='"double" and `back`'
            D='$NOT_EXPANDED'
            E=''
            """#)
        #expect(values["A"] == #"no \n expansion"#)
        #expect(values["B"] == "  inner spaces kept  ")
        #expect(values["C"] == #""double" and `back`"#)
        #expect(values["D"] == "$NOT_EXPANDED")
        #expect(values["E"] == "")
    }

    @Test func doubleQuotesExpandNewlinesOnly() throws {
        let values = try parse(#"""
            A="one\ntwo"
            B="cr\rhere"
            C="tab\tstays"
            D="say \"hi\""
            E="back\\n"
            F=""
            G="  inner  "
            """#)
        #expect(values["A"] == "one\ntwo")
        #expect(values["B"] == "cr\rhere")
        #expect(values["C"] == #"tab\tstays"#)
        #expect(values["D"] == #"say \"hi\""#)  // dotenv keeps the backslashes
        #expect(values["E"] == "back\\\n")  // `/\\n/g` on `\\n`: a backslash, then a newline
        #expect(values["F"] == "")
        #expect(values["G"] == "  inner  ")
    }

    @Test func backticksAreLiteral() throws {
        let values = try parse(#"A=`it's "both" \n`"#)
        #expect(values["A"] == #"it's "both" \n"#)
    }

    @Test func multiLineQuotedValues() throws {
        let text = """
            KEY="-----BEGIN-----
            # not a comment
            abc
            -----END-----"
            SINGLE='a
            b'
            TICK=`x
            y` # comment
            AFTER=1
            """
        let values = try parse(text)
        #expect(values["KEY"] == "-----BEGIN-----\n# not a comment\nabc\n-----END-----")
        #expect(values["SINGLE"] == "a\nb")
        #expect(values["TICK"] == "x\ny")
        #expect(values["AFTER"] == "1")
        // Line numbers keep counting inside multi-line values.
        #expect(error(text + "\nbroken line")?.line == 10)
    }

    @Test func lineEndings() throws {
        let values = try parse("KEY=\"-----BEGIN-----\r\nabc\r\n-----END-----\"\r\nNEXT=1\r\nOLD_MAC=2\rLAST=3\r\n")
        #expect(values == ["KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1", "OLD_MAC": "2", "LAST": "3"])
        #expect(error("A=1\r\nB=2\r\nbad\r\n")?.line == 3)
        #expect(error("A=1\rbad\r")?.line == 2)
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try parse("\u{FEFF}WORKOS_CLIENT_ID=client_01\n") == ["WORKOS_CLIENT_ID": "client_01"])
    }

    @Test func unicodeValuesAreKeptExactly() throws {
        let decomposed = "e\u{301}"  // a quote followed by a combining mark must still close
        let values = try parse("A=\"\(decomposed)\"\nB='😀 \(decomposed)'\nC=ü🙂 \n")
        #expect(values["A"]?.unicodeScalars.elementsEqual(decomposed.unicodeScalars) == true)
        #expect(values["B"]?.unicodeScalars.elementsEqual("😀 \(decomposed)".unicodeScalars) == true)
        #expect(values["C"] == "ü🙂")
        let combiningAfterQuote = try parse("D=\"x\"\u{301}\n")
        #expect(combiningAfterQuote["D"]?.unicodeScalars.elementsEqual("\"x\"\u{301}".unicodeScalars) == true)
    }

    @Test func quoteClosesOnlyWhereTheLineEnds() throws {
        // As dotenv's regular expression: text after the closing quote makes the line unquoted.
        #expect(try parse(#"A="abc"def"#)["A"] == #""abc"def"#)
        #expect(try parse(#"A='abc' def # c"#)["A"] == "'abc' def")
        #expect(try parse(#"A='abc'def'"#)["A"] == "abc'def")
        #expect(try parse(#"A="x\ny" z"#)["A"] == "\"x\ny\" z")
        // An escaped quote ending its line closes the value when nothing else can.
        let windows = try parse(#"""
            A="C:\dir\"
            B="x"
            """#)
        #expect(windows == ["A": #"C:\dir\"#, "B": "x"])
        // The first unescaped quote closes, even on a later line.
        #expect(try parse("A=\"abc\nB=1\nC=\"\nD=2") == ["A": "abc\nB=1\nC=", "D": "2"])
    }

    @Test func errorsNameTheLineAndTheProblem() {
        #expect(error("A=1\nnot a pair\n") == DotEnvError(line: 2, problem: "expected KEY=value (this line has no =)"))
        #expect(error("A=1\n\n=value\n") == DotEnvError(line: 3, problem: "expected KEY=value (no variable name before =)"))
        #expect(error("MY KEY=1")?.problem == "invalid variable name (use letters, digits, _, . and - only)")
        #expect(error("ÄPFEL=1")?.line == 1)
        #expect(error("export\n")?.line == 1)
        #expect(error("A=1\nB:1\n")?.line == 2)  // the colon form needs a space
        #expect(error("A=1\nB=\"open\nC=2\n") == DotEnvError(line: 2, problem: "unterminated \" quote"))
        #expect(error("A='open") == DotEnvError(line: 1, problem: "unterminated ' quote"))
        #expect(error("# c\n\nA=`open\nmore") == DotEnvError(line: 3, problem: "unterminated ` quote"))
        // A quote that a later line's opening quote would "close" is still unterminated.
        #expect(error("A=\"abc\nB=\"x\"\n")?.line == 1)
        #expect(error("A=\"abc\nB=\"x\"\n")?.description == "line 1: unterminated \" quote")
    }

    @Test func errorsNeverContainValues() {
        let secrets = ["sk_live_Qx81Lm30Rt77", "J8vQ2mZr5Tn1Xw4L", "hunter2hunter2"]
        let broken = [
            "SECRET=\"\(secrets[0])", "SECRET='\(secrets[1])\nMORE=x", "\(secrets[2])", "\(secrets[2]) \(secrets[2])=x",
            "SECRET=`\(secrets[0])", "A=1\n\(secrets[1])",
        ]
        for text in broken {
            guard let failure = error(text) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
            for secret in secrets {
                #expect(!failure.description.contains(secret))
                #expect(!failure.problem.contains(String(secret.prefix(6))))
            }
        }
    }

    @Test func arbitraryInputNeverCrashes() {
        // Deterministic pseudo-random files over the characters that matter to the grammar.
        let alphabet: [String] = ["A", "b", "_", "=", "\"", "'", "`", "\\", "n", "#", " ", "\t", "\n", "\r", ":", "export ", "é", "\u{301}", "😀"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<2000 {
            let length = next() % 40
            let text = (0..<length).map { _ in alphabet[next() % alphabet.count] }.joined()
            let lineCount = text.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count + 1
            do {
                for pair in try DotEnv.parse(text) {
                    #expect(!pair.key.isEmpty)
                }
            } catch {
                #expect((1...lineCount).contains(error.line), "\(text.debugDescription): \(error)")
            }
        }
    }
}
