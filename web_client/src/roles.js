// What the user may change, from what the API says about them; the server decides again.

// The course's educators and admins schedule its lectures and manage its videos.
/**
 * @param {{ my_role?: string | null }} course
 * @param {{ role: string }} user
 */
export const managesCourse = (course, user) => course.my_role === "educator" || user.role === "admin";
