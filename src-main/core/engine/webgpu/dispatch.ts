/**
 * Workgroups for a one-thread-per-value program: a 1-D dispatch, folded into
 * two dimensions past WebGPU's 65,535 workgroups per dimension (programs
 * then recover the flat index from workgroup_id, as tfjs's getGlobalIndex does).
 */
export function flatDispatch(count: number, workgroupSize: number): [number, number, number] {
  const groups = Math.ceil(count / workgroupSize);
  if (groups <= 65535) return [groups, 1, 1];
  const side = Math.ceil(Math.sqrt(groups));
  return [side, side, 1];
}
