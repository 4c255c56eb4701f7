#!/usr/bin/env python3
"""Draw novalite's server state machine from novalite/states.py.

    python tools/states_to_dot.py > states.dot && dot -Tsvg states.dot

Edges go from the vm_states an action may start in, through the task it
sets, to the vm_state it ends in on success (failure always ends in
ERROR). The picture is generated, so it cannot drift from the code.
"""

from novalite import states


def main():
    print('digraph novalite_states {')
    print('  rankdir=LR; node [shape=box, style=rounded];')
    all_vm = sorted(states._STATE_MAP)
    for action, transition in sorted(states.TRANSITIONS.items()):
        result = states.RESULTS[action][0]
        task = transition.new_task_state
        print('  "%s" [shape=ellipse, style=dashed];' % task)
        for vm_state in transition.vm_states or all_vm:
            print('  "%s" -> "%s" [label="%s"];' % (vm_state, task, action))
        print('  "%s" -> "%s";' % (task, result))
    print('  "building" -> "spawning" [label="build"];')
    print('  "spawning" [shape=ellipse, style=dashed];')
    print('  "spawning" -> "%s";' % states.RESULTS['build'][0])
    print('}')


if __name__ == '__main__':
    main()
