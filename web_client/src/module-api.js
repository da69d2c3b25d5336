// The self-paced module routes of the REST API (modules, units, quizzes, progress), on top of
// api.js's request(): same cookie, CSRF header and problem+json errors.

import { request } from "./api.js";

/** @typedef {import("./api.js").Id} Id */

/** @param {Id} courseId */
export const listModules = (courseId) => request("GET", `/courses/${courseId}/modules?limit=200`);
/** @param {Id} moduleId */
export const getModule = (moduleId) => request("GET", `/modules/${moduleId}`);
/** @param {Id} moduleId */
export const getModuleProgress = (moduleId) => request("GET", `/modules/${moduleId}/progress`);
/** @param {Id} moduleId */
export const getClassProgress = (moduleId) => request("GET", `/modules/${moduleId}/class-progress`);
/** @param {Id} unitId */
export const markOpened = (unitId) => request("POST", `/units/${unitId}/opened`);
// The learner's view of a quiz: questions and options, never the answers.
/** @param {Id} quizId */
export const getQuiz = (quizId) => request("GET", `/quizzes/${quizId}`);
// answers: [{ question, choices: [optionId, ...] } or { question, value }]
/** @param {Id} quizId @param {unknown[]} answers */
export const submitAttempt = (quizId, answers) =>
  request("POST", `/quizzes/${quizId}/attempts`, { answers });
// module: { title, description, sequential, mastery_threshold (0..1), published, open_course,
// licence, position }; an open course needs a licence (else 422).
/** @param {Id} courseId @param {Record<string, unknown>} module */
export const createModule = (courseId, module) => request("POST", `/courses/${courseId}/modules`, module);
/** @param {Id} moduleId @param {Record<string, unknown>} changes */
export const updateModule = (moduleId, changes) => request("PATCH", `/modules/${moduleId}`, changes);
/** @param {Id} moduleId */
export const deleteModule = (moduleId) => request("DELETE", `/modules/${moduleId}`);
// Every module of the course, each once, in the new order (saved in one transaction).
/** @param {Id} courseId @param {Id[]} moduleIds */
export const orderModules = (courseId, moduleIds) =>
  request("PUT", `/courses/${courseId}/modules/order`, { module_ids: moduleIds });
// Preview as a student (the course's educators): the module and a quiz as a learner yet to
// start sees them, and answers scored with feedback while nothing is recorded.
/** @param {Id} moduleId */
export const previewModule = (moduleId) => request("GET", `/modules/${moduleId}/preview`);
/** @param {Id} quizId */
export const previewQuiz = (quizId) => request("GET", `/quizzes/${quizId}/preview`);
/** @param {Id} quizId @param {unknown[]} answers */
export const checkAnswers = (quizId, answers) => request("POST", `/quizzes/${quizId}/check`, { answers });

// Authoring, for the course's educators.
// unit: { kind, title, position, video_id | resource_id | quiz }
/** @param {Id} moduleId @param {Record<string, unknown>} unit */
export const addUnit = (moduleId, unit) => request("POST", `/modules/${moduleId}/units`, unit);
/** @param {Id} unitId @param {{ title?: string, position?: number }} changes */
export const updateUnit = (unitId, changes) => request("PATCH", `/units/${unitId}`, changes);
/** @param {Id} unitId */
export const deleteUnit = (unitId) => request("DELETE", `/units/${unitId}`);
// Every unit id of the module, in the new order; saved all at once.
/** @param {Id} moduleId @param {Id[]} unitIds */
export const saveUnitOrder = (moduleId, unitIds) =>
  request("PUT", `/modules/${moduleId}/units/order`, { unit_ids: unitIds });
// The questions with their answers and feedback.
/** @param {Id} quizId */
export const getQuizKey = (quizId) => request("GET", `/quizzes/${quizId}/key`);
/** @param {Id} quizId @param {Record<string, unknown>} quiz */
export const saveQuiz = (quizId, quiz) => request("PUT", `/quizzes/${quizId}`, quiz);
