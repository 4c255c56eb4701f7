def show(req, group):
    """Nova's view of a server group up to 2.63: its one policy as a
    list, an empty metadata, the live members; the owner from 2.13."""
    view = {'id': group['uuid'], 'name': group['name'],
            'policies': [group['policy']], 'members': group['members'],
            'metadata': {}}
    if req.is_version('2.13'):
        view['project_id'] = group['project_id']
        view['user_id'] = group['user_id']
    return view
