package org.keepwatch.agent;

import org.keepwatch.testing.RequiredCommands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in agent in Python that speaks enough of the protocol to come online (hello, an empty snapshot for
 * state.subscribe, an empty result for any other op) and does what a test tells it when one op arrives: what a
 * hostile or broken node could send. It carries the real agent's BOOTSTRAP, so it starts as the real one does,
 * over SSH too.
 */
public final class HostileAgent {

    private HostileAgent() {
    }

    /**
     * @param trigger the op whose arrival runs {@code python}
     * @param python  statements run with {@code request} (the request), {@code out} and {@code err} (stdout's and
     *                stderr's bytes) and {@code answer(request, result)} in scope; they answer the request themselves
     *                if they want it answered
     */
    public static AgentScript script(String trigger, String python) {
        String program = """
                # --- bootstrap start ---
                BOOTSTRAP = r\"\"\"%s\"\"\"
                # --- bootstrap end ---
                import json, sys, time

                SNAPSHOT = {"daemons": [], "vips_present": [], "orphans": [], "vips_observed": True,
                            "subscribed": True, "heartbeat_interval": 0.2}
                HELLO = {"protocol": 1, "agent": "keepwatch-agent", "agent_version": "hostile", "hostname": "hostile",
                         "pid": 1, "root": True, "user": "root", "python": sys.version.split()[0], "keepalived": None,
                         "capabilities": {"ops": [], "events": [], "pidfd": False, "max_request_bytes": 4194304},
                         "settings": {}}

                def main():
                    out = sys.stdout.buffer
                    err = sys.stderr.buffer

                    def answer(request, result):
                        out.write(json.dumps({"id": request["id"], "ok": True, "ts": time.time(), "result": result})
                                  .encode() + b"\\n")
                        out.flush()

                    for line in sys.stdin:
                        request = json.loads(line)
                        op = request.get("op")
                        if op == %s:
                %s
                        elif op == "hello":
                            answer(request, HELLO)
                        elif op == "state.subscribe":
                            answer(request, SNAPSHOT)
                        else:
                            answer(request, {})
                    return 0

                if __name__ == "__main__":
                    sys.exit(main())
                """.formatted(AgentScript.bundled().bootstrap(), pythonString(trigger), indent(python, 12));
        return AgentScript.of(program.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@link #script} as a local process (python3 FILE), as a node's agent but on this machine. */
    public static Process start(Path dir, String trigger, String python) throws IOException {
        RequiredCommands.require("python3", "python3");
        Path file = Files.write(dir.resolve("hostile_agent.py"), script(trigger, python).content());
        return new ProcessBuilder("python3", file.toString()).start();
    }

    private static String pythonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String indent(String python, int spaces) {
        String pad = " ".repeat(spaces);
        return python.strip().lines().map(line -> pad + line).reduce((a, b) -> a + "\n" + b).orElse(pad + "pass");
    }
}
