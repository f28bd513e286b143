/** Mode bits node:fs does not name (its constants stop at the permission bits). */
export const SET_USER_ID = 0o4000
export const SET_GROUP_ID = 0o2000
export const GROUP_EXECUTE = 0o010
