#!/usr/bin/env python3
"""Draw novalite's server state machine from novalite/states.py.

    python tools/states_to_dot.py > states.dot && dot -Tsvg states.dot

Edges go from the vm_states an action may start in, through the task it
sets, to the vm_state it ends in on success (failure always ends in
ERROR). An action with no task of its own (a crash dump, a metadata
change) is an edge straight to its result; one whose result is None (a
snapshot) leaves the server in the state it started in. The picture is
generated, so it cannot drift from the code.
"""

from novalite import states


def main():
    print('digraph novalite_states {')
    print('  rankdir=LR; node [shape=box, style=rounded];')
    all_vm = sorted(states._STATE_MAP)
    for action, transition in sorted(states.TRANSITIONS.items()):
        result = states.RESULTS.get(action, (None, None))[0]
        task = transition.new_task_state
        sources = transition.vm_states or all_vm
        if task is None:
            for vm_state in sources:
                print('  "%s" -> "%s" [label="%s"];' % (
                    vm_state, result or vm_state, action))
            continue
        print('  "%s" [shape=ellipse, style=dashed];' % task)
        for vm_state in sources:
            print('  "%s" -> "%s" [label="%s"];' % (vm_state, task, action))
            if result is None:
                print('  "%s" -> "%s";' % (task, vm_state))
        if result is not None:
            print('  "%s" -> "%s";' % (task, result))
    print('  "building" -> "spawning" [label="build"];')
    print('  "spawning" [shape=ellipse, style=dashed];')
    print('  "spawning" -> "%s";' % states.RESULTS['build'][0])
    print('}')


if __name__ == '__main__':
    main()
