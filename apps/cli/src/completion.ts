// `weir completion bash`: a bash completion script generated from the program's own command tree,
// so it lists exactly the commands and options there are.
import type { Command } from "commander";
import { CliError, EXIT } from "./errors";

interface Tree {
  cases: string[];
  paths: string[];
  valued: Set<string>;
  flags: Set<string>;
}

function walk(command: Command, path: string[], tree: Tree): void {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.options.flatMap((o) => [o.long, o.short].filter((w): w is string => w !== undefined)),
    "--help",
  ];
  tree.cases.push(`    "${path.join(" ")}") opts="${words.join(" ")}" ;;`);
  if (path.length > 0) tree.paths.push(path.join(" "));
  for (const option of command.options) {
    for (const flag of [option.long, option.short]) {
      if (flag === undefined) continue;
      // A flag that takes a value in one command and none in another (-f) is left ambiguous.
      if (option.required || option.optional) tree.valued.add(flag);
      else tree.flags.add(flag);
    }
  }
  for (const sub of command.commands) walk(sub, [...path, sub.name()], tree);
}

export function bashCompletion(program: Command): string {
  const tree: Tree = { cases: [], paths: [], valued: new Set(), flags: new Set() };
  walk(program, [], tree);
  const valued = [...tree.valued].filter((flag) => !tree.flags.has(flag));
  return `# bash completion for weir: source <(weir completion bash)
_weir() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i w candidate opts=""
  local known="|${tree.paths.join("|")}|" valued="|${valued.join("|")}|"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" == -* ]]; then
      [[ "$valued" == *"|$w|"* ]] && ((i++))
      continue
    fi
    candidate="\${path:+$path }$w"
    [[ "$known" == *"|$candidate|"* ]] && path="$candidate"
  done
  case "$path" in
${tree.cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _weir weir
`;
}

export function addCompletionCommand(program: Command, out: (text: string) => void): void {
  program
    .command("completion")
    .description("print a shell completion script: source <(weir completion bash)")
    .argument("<shell>", "bash")
    .action((shell: string) => {
      if (shell !== "bash") throw new CliError(EXIT.usage, `no completion for ${shell} yet (bash only)`);
      out(bashCompletion(program));
    });
}
