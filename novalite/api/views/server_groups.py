def show(req, group):
    """Nova's view of a server group: its one policy as a list and an
    empty metadata (from 2.64 the policy, a string, and its rules), the
    live members; the owner from 2.13."""
    view = {'id': group['uuid'], 'name': group['name']}
    if req.is_version('2.64'):
        view['policy'] = group['policy']
        view['rules'] = group['rules']
    else:
        view['policies'] = [group['policy']]
        view['metadata'] = {}
    view['members'] = group['members']
    if req.is_version('2.13'):
        view['project_id'] = group['project_id']
        view['user_id'] = group['user_id']
    return view
